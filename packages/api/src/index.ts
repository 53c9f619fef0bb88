export { appRouter, type AppRouter } from './router';
export { createHandler, type FetchHandler } from './handler';
export { createContext, type Context, SESSION_COOKIE } from './context';
export { createCallerFactory, type Access } from './trpc';
export { serve, toNodeListener } from './node-server';
export { getPlatform } from './platform-singleton';
