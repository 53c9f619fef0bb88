/**
 * Who gets what from each call, written by hand from the rules (not from the procedures' meta or
 * from a run): one row per case of access-cases.ts, one cell per role of access-world.ts, in
 * this order. A cell is the outcome:
 *
 *   ok   the call succeeded
 *   401  UNAUTHORIZED (sign in first)       } denied
 *   403  FORBIDDEN (signed in, not allowed) }
 *   404  NOT_FOUND: past authorization, and the object is not there for this caller (a private
 *        submission outside its team, another user's token)
 *
 * Any other answer is in the cell as its HTTP status; a crash (500) fails the test on its own.
 */
// biome-ignore format: a table, aligned by hand
export const MATRIX: Record<string, string> = {
  //                                              anon  runner outsdr member review maint tadmin padmin
  'auth.me':                                     'ok    ok     ok     ok     ok     ok    ok     ok',
  'auth.signUp':                                 'ok    ok     ok     ok     ok     ok    ok     ok',
  'auth.signIn':                                 'ok    ok     ok     ok     ok     ok    ok     ok',
  'auth.signOut':                                '401   401    ok     ok     ok     ok    ok     ok',

  'tokens.list':                                 '401   401    ok     ok     ok     ok    ok     ok',
  'tokens.create':                               '401   401    ok     ok     ok     ok    ok     ok',
  'tokens.revoke own':                           '401   401    ok     ok     ok     ok    ok     ok',
  'tokens.revoke of another user':               '401   401    404    404    404    404   404    404',
  'runnerTokens.list':                           '401   401    403    403    403    403   403    ok',
  'runnerTokens.create':                         '401   401    403    403    403    403   403    ok',
  'runnerTokens.revoke':                         '401   401    403    403    403    403   403    ok',

  'teams.mine':                                  '401   401    ok     ok     ok     ok    ok     ok',
  'teams.create':                                '401   401    ok     ok     ok     ok    ok     ok',
  'teams.members acme':                          '401   401    403    ok     ok     ok    ok     ok',
  'teams.members globex':                        '401   401    403    403    403    403   403    ok',
  'teams.setMember acme':                        '401   401    403    403    403    403   ok     ok',
  'teams.setMember globex':                      '401   401    403    403    403    403   403    ok',
  'teams.removeMember acme':                     '401   401    403    403    403    403   ok     ok',
  'teams.removeMember globex':                   '401   401    403    403    403    403   403    ok',

  'benchmarks.list':                             'ok    ok     ok     ok     ok     ok    ok     ok',
  'benchmarks.summaries':                        'ok    ok     ok     ok     ok     ok    ok     ok',
  'benchmarks.get':                              'ok    ok     ok     ok     ok     ok    ok     ok',
  'benchmarks.versions':                         'ok    ok     ok     ok     ok     ok    ok     ok',
  'benchmarks.leaderboard':                      'ok    ok     ok     ok     ok     ok    ok     ok',
  'benchmarks.register for acme':                '401   401    403    403    403    ok    ok     ok',
  'benchmarks.register for globex':              '401   401    403    403    403    403   403    ok',

  'methods.create acme':                         '401   401    403    ok     ok     ok    ok     ok',
  'methods.create globex':                       '401   401    403    403    403    403   403    ok',
  'methods.list':                                'ok    ok     ok     ok     ok     ok    ok     ok',

  'submissions.list':                            'ok    ok     ok     ok     ok     ok    ok     ok',
  'submissions.get public':                      'ok    ok     ok     ok     ok     ok    ok     ok',
  'submissions.get private, acme':               '404   404    404    ok     ok     ok    ok     ok',
  'submissions.get private, globex':             '404   404    404    404    404    404   404    ok',
  'submissions.result public':                   'ok    ok     ok     ok     ok     ok    ok     ok',
  'submissions.result private, acme':            '404   404    404    ok     ok     ok    ok     ok',
  'submissions.result private, globex':          '404   404    404    404    404    404   404    ok',
  'submissions.examples public':                 'ok    ok     ok     ok     ok     ok    ok     ok',
  'submissions.examples private, acme':          '404   404    404    ok     ok     ok    ok     ok',
  'submissions.examples private, globex':        '404   404    404    404    404    404   404    ok',
  'submissions.logs public':                     'ok    ok     ok     ok     ok     ok    ok     ok',
  'submissions.logs private, acme':              '404   404    404    ok     ok     ok    ok     ok',
  'submissions.logs private, globex':            '404   404    404    404    404    404   404    ok',
  'submissions.reproduction public':             'ok    ok     ok     ok     ok     ok    ok     ok',
  'submissions.reproduction private, acme':      '404   404    404    ok     ok     ok    ok     ok',
  'submissions.reproduction private, globex':    '404   404    404    404    404    404   404    ok',
  'submissions.cancel acme':                     '401   401    403    ok     403    ok    ok     ok',
  'submissions.cancel globex':                   '401   401    403    403    403    403   403    ok',
  'submissions.rerun acme':                      '401   401    403    ok     403    ok    ok     ok',
  'submissions.rerun globex':                    '401   401    403    403    403    403   403    ok',
  'submissions.rerun globex, on acme benchmark': '401   401    403    403    403    ok    ok     ok',

  'system.health':                               'ok    ok     ok     ok     ok     ok    ok     ok',
  'system.runners':                              'ok    ok     ok     ok     ok     ok    ok     ok',
  'system.queue':                                'ok    ok     ok     ok     ok     ok    ok     ok',

  'corrections.list':                            'ok    ok     ok     ok     ok     ok    ok     ok',
  'corrections.get':                             'ok    ok     ok     ok     ok     ok    ok     ok',
  'corrections.example':                         'ok    ok     ok     ok     ok     ok    ok     ok',
  'corrections.version':                         'ok    ok     ok     ok     ok     ok    ok     ok',
  'corrections.diff':                            'ok    ok     ok     ok     ok     ok    ok     ok',
  'corrections.impact':                          'ok    ok     ok     ok     ok     ok    ok     ok',
  'corrections.triage':                          'ok    ok     ok     ok     ok     ok    ok     ok',
  'corrections.propose':                         '401   401    ok     ok     ok     ok    ok     ok',
  'corrections.importUpstream':                  '401   401    ok     ok     ok     ok    ok     ok',
  'corrections.review acme benchmark':           '401   401    403    403    ok     ok    ok     ok',
  'corrections.review globex benchmark':         '401   401    403    403    403    403   403    ok',
  'corrections.review own proposal':             '401   401    403    403    403    403   403    403',
  'corrections.withdraw own':                    '401   401    ok     ok     ok     ok    ok     ok',
  'corrections.withdraw of another user':        '401   401    403    403    403    403   403    ok',
  'corrections.release acme benchmark':          '401   401    403    403    403    ok    ok     ok',
  'corrections.release globex benchmark':        '401   401    403    403    403    403   403    ok',
};
