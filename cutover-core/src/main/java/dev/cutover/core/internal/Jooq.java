package dev.cutover.core.internal;

/**
 * Keeps jOOQ's start-up logo and "tip of the day" out of the application's log. jOOQ reads
 * {@code org.jooq.no-logo} and {@code org.jooq.no-tips} once, when it first renders SQL; they
 * are set here only when the application has not set them itself, so an application that wants
 * the logo keeps it by setting {@code -Dorg.jooq.no-logo=false}.
 */
public final class Jooq {

    private static volatile boolean done;

    private Jooq() {
    }

    /** Sets the two properties unless already set; idempotent and cheap. */
    public static void quiet() {
        if (done) {
            return;
        }
        synchronized (Jooq.class) {
            if (System.getProperty("org.jooq.no-logo") == null) {
                System.setProperty("org.jooq.no-logo", "true");
            }
            if (System.getProperty("org.jooq.no-tips") == null) {
                System.setProperty("org.jooq.no-tips", "true");
            }
            done = true;
        }
    }
}
