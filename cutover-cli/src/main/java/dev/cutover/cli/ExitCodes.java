package dev.cutover.cli;

/** The exit codes of every command, as {@code --help} and docs/cli.md list them. */
final class ExitCodes {

    /** Done; every check passed. */
    static final int OK = 0;
    /** A check failed: NULL rows remain, the gate is NO_GO, verification or remediation did not complete. */
    static final int FAILED = 1;
    /** Bad usage or configuration; nothing was changed. */
    static final int USAGE = 2;
    /** The database could not be reached or refused a statement. */
    static final int DATABASE = 3;

    private ExitCodes() {
    }

    /** The worse of two codes: database error over usage over failure over success. */
    static int worst(int a, int b) {
        return rank(a) >= rank(b) ? a : b;
    }

    private static int rank(int code) {
        return switch (code) {
            case OK -> 0;
            case FAILED -> 1;
            case USAGE -> 2;
            default -> 3;
        };
    }
}
