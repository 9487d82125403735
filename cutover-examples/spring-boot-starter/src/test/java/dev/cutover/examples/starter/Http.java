package dev.cutover.examples.starter;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import com.jayway.jsonpath.JsonPath;
import java.io.IOException;
import java.time.Duration;

/** GET requests to the application under test, as the on-call's tools make them. */
record Http(int port) {

    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** The response to {@code GET path}. */
    HttpResponse<String> get(String path) {
        try {
            return CLIENT.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                    .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException("GET " + path + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during GET " + path, e);
        }
    }

    /** The value at this JSON path (e.g. {@code $.status}) in a JSON body. */
    static <T> T read(String json, String path) {
        return JsonPath.read(json, path);
    }

    /** The body of {@code GET path}, which must answer 200. */
    String body(String path) {
        HttpResponse<String> response = get(path);
        if (response.statusCode() != 200) {
            throw new AssertionError("GET " + path + " answered " + response.statusCode() + ": " + response.body());
        }
        return response.body();
    }
}
