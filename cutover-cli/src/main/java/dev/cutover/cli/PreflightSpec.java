package dev.cutover.cli;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Stage B checklist of one cutover as configured under {@code cutover.cutovers[N].preflight}:
 * the assignment-code-live evidence and the smoke checks as HTTP GETs or shell commands, the
 * window the NULL baseline must have been stable over, and the time each outside check may take.
 * The reconciliation query stays in {@link CutoverSpec#reconciliationSql()}.
 */
record PreflightSpec(Optional<Probe> assignmentCodeLive, Duration baselineWindow, Optional<Duration> baselineMaxGap,
                     List<Smoke> smoke, Duration timeout) {

    static final Duration DEFAULT_WINDOW = Duration.ofHours(24);
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    /** An outside check: an HTTP(S) GET that must answer 2xx, or a shell command that must exit 0. */
    record Probe(String key, Optional<URI> url, Optional<String> command) {
        String describe() {
            return url.map(u -> "GET " + shown(u)).orElseGet(() -> "command " + command.orElseThrow());
        }

        /** The URL without its query and user info, for output. */
        static String shown(URI u) {
            return u.getScheme() + "://" + u.getHost() + (u.getPort() < 0 ? "" : ":" + u.getPort()) + (u.getRawPath() == null
                    ? "" : u.getRawPath()) + (u.getRawQuery() == null ? "" : "?...");
        }
    }

    /** A named smoke check. */
    record Smoke(String name, Probe probe) {
    }

    PreflightSpec {
        smoke = List.copyOf(smoke);
    }

    static PreflightSpec none() {
        return new PreflightSpec(Optional.empty(), DEFAULT_WINDOW, Optional.empty(), List.of(), DEFAULT_TIMEOUT);
    }

    /** The keys under {@code cutover.cutovers[N].preflight.} this record reads (besides reconciliation-sql). */
    static final List<String> KEYS = List.of("preflight.assignment-code-live.url", "preflight.assignment-code-live.command",
            "preflight.baseline-window", "preflight.baseline-max-gap", "preflight.timeout");
    static final Pattern SMOKE_KEY = Pattern.compile("preflight\\.smoke\\[(\\d+)]\\.(name|url|command)");

    /** Reads and checks the preflight keys of the cutover at {@code p}, e.g. {@code cutover.cutovers[0]}. */
    static PreflightSpec read(Map<String, String> keys, String p) {
        Optional<Probe> live = probe(keys, p + ".preflight.assignment-code-live", true);
        Duration window = opt(keys, p + ".preflight.baseline-window").map(v -> CliConfig.duration(p + ".preflight.baseline-window", v))
                .orElse(DEFAULT_WINDOW);
        Optional<Duration> gap = opt(keys, p + ".preflight.baseline-max-gap")
                .map(v -> CliConfig.duration(p + ".preflight.baseline-max-gap", v));
        if (gap.isPresent() && gap.get().compareTo(window) > 0) {
            throw CliException.usage(p + ".preflight.baseline-max-gap (" + gap.get() + ") must not be longer than "
                    + p + ".preflight.baseline-window (" + window + ")");
        }
        Duration timeout = opt(keys, p + ".preflight.timeout").map(v -> CliConfig.duration(p + ".preflight.timeout", v))
                .orElse(DEFAULT_TIMEOUT);
        TreeSet<Integer> indexes = new TreeSet<>();
        Pattern smokeKey = Pattern.compile(Pattern.quote(p + ".preflight.smoke[") + "(\\d+)].*");
        for (String k : keys.keySet()) {
            Matcher m = smokeKey.matcher(k);
            if (m.matches()) {
                indexes.add(Integer.parseInt(m.group(1)));
            }
        }
        List<Smoke> smoke = new ArrayList<>();
        for (int i : indexes) {
            String sp = p + ".preflight.smoke[" + smoke.size() + "]";
            if (i != smoke.size()) {
                throw CliException.usage(sp + " is missing: number the smoke checks from 0 without gaps");
            }
            String name = opt(keys, sp + ".name").orElseThrow(() -> CliException.usage(sp + ".name is missing: name each smoke "
                    + "check, e.g. create flow"));
            smoke.add(new Smoke(name, probe(keys, sp, false).orElseThrow(() -> CliException.usage(sp + ".url or " + sp
                    + ".command is missing: a smoke check is an HTTP GET that must answer 2xx or a command that must exit 0"))));
        }
        return new PreflightSpec(live, window, gap, smoke, timeout);
    }

    private static Optional<Probe> probe(Map<String, String> keys, String prefix, boolean optional) {
        Optional<String> url = opt(keys, prefix + ".url");
        Optional<String> command = opt(keys, prefix + ".command");
        if (url.isPresent() && command.isPresent()) {
            throw CliException.usage(prefix + " has both url and command: give one");
        }
        if (url.isEmpty() && command.isEmpty()) {
            return Optional.empty();
        }
        if (url.isPresent()) {
            URI uri;
            try {
                uri = URI.create(url.get());
            } catch (IllegalArgumentException e) {
                throw CliException.usage(prefix + ".url is not a URL: " + e.getMessage());
            }
            if (!"http".equalsIgnoreCase(uri.getScheme()) && !"https".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null) {
                throw CliException.usage(prefix + ".url must be an http:// or https:// URL with a host, but was \"" + url.get() + "\"");
            }
            return Optional.of(new Probe(prefix + ".url", Optional.of(uri), Optional.empty()));
        }
        return Optional.of(new Probe(prefix + ".command", Optional.empty(), command));
    }

    private static Optional<String> opt(Map<String, String> keys, String key) {
        return Optional.ofNullable(keys.get(key)).map(String::trim).filter(v -> !v.isEmpty());
    }
}
