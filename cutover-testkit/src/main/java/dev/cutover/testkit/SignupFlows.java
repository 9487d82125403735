package dev.cutover.testkit;

import dev.cutover.core.CutoverConfigurationException;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import javax.sql.DataSource;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Record;
import org.jooq.Table;
import org.jooq.impl.DSL;

/**
 * The runbook's two signup flows on its tables ({@link CutoverFixtures#RUNBOOK_SCHEMA}):
 * create an organization and its first user, or join the organization that owns the email's
 * domain. With the assignment hook the new user gets the organization; without it (as before
 * the hook was deployed) {@code organization_id} stays NULL, which is what the Stage A gate
 * watches for.
 *
 * <pre>{@code
 * SignupFlows signups = db.fixtures().signupsWithAssignmentHook();
 * Signup ann = signups.createOrganization("Acme", "ann@acme.test");
 * Signup bob = signups.joinOrganization("bob@acme.test");
 * assertThat(bob.assigned()).isTrue();
 * }</pre>
 */
public final class SignupFlows {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final Table<Record> ORGANIZATIONS = DSL.table(DSL.name("public", "organizations"));
    private static final Table<Record> USERS = DSL.table(DSL.name("public", "user"));
    private static final Field<Long> ID = DSL.field(DSL.name("id"), Long.class);
    private static final Field<String> NAME = DSL.field(DSL.name("name"), String.class);
    private static final Field<String> DOMAIN = DSL.field(DSL.name("domain"), String.class);
    private static final Field<String> EMAIL = DSL.field(DSL.name("email"), String.class);
    private static final Field<Long> ORGANIZATION_ID = DSL.field(DSL.name("organization_id"), Long.class);

    private final DataSource dataSource;
    private final boolean assignmentHook;

    SignupFlows(DataSource dataSource, boolean assignmentHook) {
        this.dataSource = dataSource;
        this.assignmentHook = assignmentHook;
    }

    /** Whether these flows run with the pre-insert assignment hook. */
    public boolean assignmentHook() {
        return assignmentHook;
    }

    /**
     * Creates an organization owning the email's domain, then its first user.
     *
     * @throws CutoverConfigurationException when an organization already owns that domain
     */
    public Signup createOrganization(String organizationName, String email) {
        String domain = domainOf(email);
        return Jdbc.inTransaction(dataSource, TIMEOUT, "sign up " + email + " creating organization " + organizationName, dsl -> {
            if (organizationOf(dsl, domain).isPresent()) {
                throw new CutoverConfigurationException("An organization already owns the domain " + domain
                        + ": sign " + email + " up with joinOrganization(email)");
            }
            long organizationId = dsl.insertInto(ORGANIZATIONS).columns(NAME, DOMAIN).values(organizationName, domain)
                    .returningResult(ID).fetchOne().value1();
            return insertUser(dsl, "create", email, organizationId);
        });
    }

    /**
     * Creates a user in the organization that owns the email's domain.
     *
     * @throws CutoverConfigurationException when no organization owns that domain
     */
    public Signup joinOrganization(String email) {
        String domain = domainOf(email);
        return Jdbc.inTransaction(dataSource, TIMEOUT, "sign up " + email + " joining its organization", dsl -> {
            long organizationId = organizationOf(dsl, domain).orElseThrow(() -> new CutoverConfigurationException(
                    "No organization owns the domain " + domain + ": sign the first user up with createOrganization(name, email)"));
            return insertUser(dsl, "join", email, organizationId);
        });
    }

    private Signup insertUser(DSLContext dsl, String flow, String email, long organizationId) {
        Record stored = dsl.insertInto(USERS).columns(EMAIL, ORGANIZATION_ID)
                .values(email, assignmentHook ? organizationId : null)
                .returningResult(ID, ORGANIZATION_ID).fetchOne();
        return new Signup(flow, email, stored.get(ID), organizationId, Optional.ofNullable(stored.get(ORGANIZATION_ID)));
    }

    private static Optional<Long> organizationOf(DSLContext dsl, String domain) {
        return dsl.select(ID).from(ORGANIZATIONS).where(DOMAIN.eq(domain)).fetchOptional(ID);
    }

    private static String domainOf(String email) {
        int at = email == null ? -1 : email.lastIndexOf('@');
        if (at <= 0 || at == email.length() - 1) {
            throw new IllegalArgumentException("email must look like name@domain, but was " + (email == null ? "null" : "'" + email + "'"));
        }
        return email.substring(at + 1).toLowerCase(Locale.ROOT);
    }

    @Override
    public String toString() {
        return "SignupFlows[" + (assignmentHook ? "with" : "without") + " assignment hook]";
    }
}
