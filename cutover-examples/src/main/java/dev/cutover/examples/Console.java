package dev.cutover.examples;

import java.io.PrintStream;

/** The demo's narration: numbered stages, indented lines, and checks that end the run when the runbook is not followed. */
final class Console {

    /** A stage did not behave as the runbook says. */
    static final class StageFailed extends RuntimeException {
        private static final long serialVersionUID = 1L;

        StageFailed(String message) {
            super(message);
        }
    }

    private final PrintStream out;
    private int stage;
    private String current = "";

    Console(PrintStream out) {
        this.out = out;
    }

    void title(String text) {
        out.println(text);
        out.println("=".repeat(Math.min(100, text.length())));
    }

    void stage(String name) {
        stage++;
        current = name;
        out.println();
        out.println(stage + ". " + name);
    }

    void line(String text) {
        for (String l : text.split("\n", -1)) {
            out.println("   " + l);
        }
    }

    /** Prints a block as it is, indented. */
    void block(String text) {
        for (String l : text.split("\n", -1)) {
            out.println("   | " + l);
        }
    }

    void progress(long done, long total, String suffix) {
        int width = 30;
        int filled = total == 0 ? width : (int) Math.min(width, done * width / total);
        out.printf("   [%s%s] %3d%% %s%n", "#".repeat(filled), ".".repeat(width - filled),
                total == 0 ? 100 : Math.min(100, done * 100 / total), suffix);
    }

    /** Fails the stage unless the runbook's expectation holds. */
    void expect(boolean condition, String expectation) {
        if (!condition) {
            throw new StageFailed("Stage " + stage + " (" + current + ") did not behave as the runbook says: " + expectation);
        }
        out.println("   ok: " + expectation);
    }

    void blank() {
        out.println();
    }
}
