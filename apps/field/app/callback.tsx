/** The OAuth redirect target of the web build: the gate in _layout completes the sign-in, then this route goes home (or back to the report after a step-up). */
import { Redirect } from 'expo-router';
import type { ReactNode } from 'react';
import { afterSignIn } from '../src/platform';

export default function Callback(): ReactNode {
  return <Redirect href={afterSignIn() as never} />;
}
