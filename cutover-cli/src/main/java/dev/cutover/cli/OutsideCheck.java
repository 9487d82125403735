package dev.cutover.cli;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a configured outside check of the preflight: an HTTP(S) GET that must answer 2xx, or a
 * command run by {@code sh -c} that must exit 0 within the timeout. Returns the evidence for the
 * report (the status line, or the command's last line of output); throws with what went wrong.
 * Response bodies are not shown: they may hold anything.
 */
final class OutsideCheck {

    private static final int SHOWN = 200;

    private OutsideCheck() {
    }

    static String run(PreflightSpec.Probe probe, Duration timeout) throws Exception {
        return probe.url().isPresent() ? get(probe, timeout) : command(probe.command().orElseThrow(), timeout);
    }

    private static String get(PreflightSpec.Probe probe, Duration timeout) throws IOException, InterruptedException {
        HttpClient client = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NORMAL).build();
        HttpRequest request = HttpRequest.newBuilder(probe.url().orElseThrow()).timeout(timeout).GET()
                .header("User-Agent", "cutover-cli").build();
        String shown = PreflightSpec.Probe.shown(probe.url().get());
        HttpResponse<Void> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.discarding());
        } catch (IOException e) {
            throw new IOException("GET " + shown + " failed: " + Connections.rootMessage(e), e);
        }
        if (response.statusCode() / 100 != 2) {
            throw new IllegalStateException("GET " + shown + " answered HTTP " + response.statusCode() + ", not 2xx");
        }
        return "GET " + shown + " answered HTTP " + response.statusCode();
    }

    private static String command(String command, Duration timeout) throws IOException, InterruptedException {
        Path output = Files.createTempFile("cutover-preflight", ".out");
        try {
            Process process = new ProcessBuilder(List.of("sh", "-c", command)).redirectErrorStream(true)
                    .redirectOutput(output.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                throw new IllegalStateException("command " + command + " did not finish within " + timeout.toSeconds() + " s");
            }
            String last = lastLine(output);
            int code = process.exitValue();
            if (code != 0) {
                throw new IllegalStateException("command " + command + " exited " + code + (last.isEmpty() ? "" : ": " + last));
            }
            return last.isEmpty() ? "command " + command + " exited 0" : last;
        } finally {
            Files.deleteIfExists(output);
        }
    }

    private static String lastLine(Path output) throws IOException {
        byte[] bytes;
        try (InputStream in = Files.newInputStream(output)) {
            bytes = in.readAllBytes();
        }
        List<String> lines = new String(bytes, StandardCharsets.UTF_8).lines().map(String::strip).filter(l -> !l.isEmpty())
                .toList();
        if (lines.isEmpty()) {
            return "";
        }
        String last = lines.get(lines.size() - 1);
        return last.length() > SHOWN ? last.substring(0, SHOWN) + "..." : last;
    }
}
