package dev.cutover.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/** {@code --name value} pairs from a benchmark's command line, with jOOQ's banner turned off. */
final class BenchArgs {

    private BenchArgs() {
    }

    static Map<String, String> parse(String[] argv) {
        System.setProperty("org.jooq.no-logo", "true");
        System.setProperty("org.jooq.no-tips", "true");
        if (argv.length % 2 != 0) {
            throw new IllegalArgumentException("expected --name value pairs, but " + argv[argv.length - 1] + " has no value");
        }
        Map<String, String> args = new LinkedHashMap<>();
        for (int i = 0; i < argv.length; i += 2) {
            if (!argv[i].startsWith("--")) {
                throw new IllegalArgumentException("expected --name value pairs, got " + argv[i]);
            }
            args.put(argv[i].substring(2), argv[i + 1]);
        }
        return args;
    }
}
