import type { Metadata } from 'next';
import Link from 'next/link';
import type { ReactNode } from 'react';
import { Providers } from '../components/providers';
import { me } from '../lib/server-api';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'Trueboard', template: '%s · Trueboard' },
  description: 'Benchmarks and leaderboards with audited gold annotations, confidence intervals and reproducible runs.',
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  const user = await me();
  return (
    <html lang="en">
      <body>
        <a className="skip" href="#content">
          Skip to content
        </a>
        <header className="site">
          <nav aria-label="Main">
            <Link className="brand" href="/">
              Trueboard
            </Link>
            <Link href="/">Benchmarks</Link>
            <Link href="/submit">Submit</Link>
            <Link href="/queue">Queue</Link>
            {user ? (
              <Link href="/account">{user.name || user.email}</Link>
            ) : (
              <>
                <Link href="/signin">Sign in</Link>
                <Link href="/signup">Sign up</Link>
              </>
            )}
          </nav>
        </header>
        <Providers>
          <main id="content">{children}</main>
        </Providers>
      </body>
    </html>
  );
}
