import type { Metadata } from 'next';
import { AuthForm } from '../../components/auth-form';
import { safeNextPath } from '../../lib/safe-next';

export const metadata: Metadata = { title: 'Sign up' };

export default async function SignUpPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { next } = await searchParams;
  return (
    <>
      <h1>Create an account</h1>
      <p className="lead">
        An account lets you create a team, submit methods and propose corrections to gold annotations.
      </p>
      <AuthForm mode="signup" next={safeNextPath(Array.isArray(next) ? next[0] : next)} />
    </>
  );
}
