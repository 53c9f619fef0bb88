export { LEADERBOARD_PAGE, type Leaderboard, leaderboardQueryFromParams } from '@trueboard/core';
export { type Context, createContext, SESSION_COOKIE } from './context';
export { createHandler, type FetchHandler } from './handler';
export { serve, toNodeListener } from './node-server';
export { getPlatform } from './platform-singleton';
export { type AppRouter, appRouter } from './router';
export { serverCaller } from './server-caller';
export { type Access, createCallerFactory } from './trpc';
