import type { Metadata } from 'next';
import { AuthForm } from '../../components/auth-form';

export const metadata: Metadata = { title: 'Sign up' };

export default function SignUpPage() {
  return (
    <>
      <h1>Create an account</h1>
      <p className="lead">
        An account lets you create a team, submit methods and propose corrections to gold annotations.
      </p>
      <AuthForm mode="signup" />
    </>
  );
}
