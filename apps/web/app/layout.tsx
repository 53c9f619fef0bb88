import type { Metadata } from 'next';
import type { ReactNode } from 'react';

export const metadata: Metadata = {
  title: 'Trueboard',
  description: 'Benchmarks and leaderboards with audited gold annotations, confidence intervals and reproducible runs.',
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body style={{ fontFamily: 'system-ui, sans-serif', margin: '0 auto', maxWidth: 960, padding: '2rem 1rem' }}>
        {children}
      </body>
    </html>
  );
}
