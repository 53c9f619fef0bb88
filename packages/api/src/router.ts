import { authRouter } from './routers/auth';
import { benchmarksRouter } from './routers/benchmarks';
import { correctionsRouter } from './routers/corrections';
import { methodsRouter } from './routers/methods';
import { submissionsRouter } from './routers/submissions';
import { systemRouter } from './routers/system';
import { teamsRouter } from './routers/teams';
import { runnerTokensRouter, tokensRouter } from './routers/tokens';
import { router } from './trpc';

export const appRouter = router({
  auth: authRouter,
  tokens: tokensRouter,
  runnerTokens: runnerTokensRouter,
  teams: teamsRouter,
  benchmarks: benchmarksRouter,
  methods: methodsRouter,
  submissions: submissionsRouter,
  corrections: correctionsRouter,
  system: systemRouter,
});

export type AppRouter = typeof appRouter;
