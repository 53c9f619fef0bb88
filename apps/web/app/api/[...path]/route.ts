import { createHandler, getPlatform } from '@trueboard/api';

// The platform's API as Next.js route handlers (used by `next dev` and plain `next start`
// deployments; `trueboard start` serves the same handler in front of Next.js).
const handler = createHandler(getPlatform);

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';
export { handler as GET, handler as POST, handler as PUT, handler as DELETE, handler as HEAD };
