import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { me } from '../../lib/server-api';
import { Account } from './account';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Account' };

export default async function AccountPage() {
  const user = await me();
  if (!user) redirect('/signin?next=/account');
  return (
    <>
      <h1>Account</h1>
      <p className="lead">
        Signed in as <strong>{user.name}</strong> ({user.email}){user.isAdmin ? ', platform admin' : ''}.
      </p>
      <Account isAdmin={user.isAdmin} />
    </>
  );
}
