package dev.cutover.core.remediation;

import dev.cutover.core.CutoverDatabase;
import dev.cutover.core.NotNullCutover;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The process {@link RemediationKilledRunTest} kills: runs a slow remediation of
 * {@code "user".organization_id} and prints its run id and each batch as it commits.
 * Arguments: JDBC URL, user, password (or {@code -}).
 */
final class KilledRunChild {

    static final NotNullCutover USER = NotNullCutover.builder("user", "organization_id").inspect("id", "email").build();

    private KilledRunChild() {
    }

    /** Every row gets organization 2, but a user whose email starts with {@code skip} is left NULL. */
    static RemediationDecision decide(RemediationRow row) {
        return ((String) row.values().get("email")).startsWith("skip") ? RemediationDecision.skip("asked to skip")
                : RemediationDecision.assign(2L);
    }

    public static void main(String[] args) throws Exception {
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setUrl(args[0]);
        dataSource.setUser(args[1]);
        if (!args[2].equals("-")) {
            dataSource.setPassword(args[2]);
        }
        RemediationRun run = Remediation.builder(CutoverDatabase.of(dataSource), USER)
                .policy(row -> {
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return decide(row);
                })
                .batchSize(5)
                .ignoreReplicaLag()
                .onEvent(e -> {
                    if (e instanceof RemediationEvent.BatchDone b) {
                        System.out.println("child: batch " + b.batch());
                        System.out.flush();
                    }
                })
                .build().start();
        System.out.println("child: run " + run.runId());
        System.out.flush();
        run.await();
        System.out.println("child: finished");
        System.out.flush();
    }
}
