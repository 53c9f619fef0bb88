export { type Context, createContext, SESSION_COOKIE } from './context';
export { createHandler, type FetchHandler } from './handler';
export { serve, toNodeListener } from './node-server';
export { getPlatform } from './platform-singleton';
export { type AppRouter, appRouter } from './router';
export { type Access, createCallerFactory } from './trpc';
