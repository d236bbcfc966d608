package io.paramlab.api;

import tools.jackson.databind.JsonNode;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Requests written byte for byte on a socket, for what a client library would refuse or normalise:
 * bad percent-encoding, encoded dots, a negative Content-Length, TRACE.
 */
final class RawHttp {
    private RawHttp() {
    }

    record Answer(int status, Map<String, String> headers, String text) {
        String contentType() {
            return headers.get("content-type");
        }

        JsonNode body() {
            return text.isEmpty() ? null : HttpApi.JSON.readTree(text);
        }
    }

    /** Sends the request line and headers as given (plus Host and Connection: close), then the body. */
    static Answer send(int port, String requestLine, String headers, String body) {
        try (Socket socket = new Socket("localhost", port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            String head = requestLine + "\r\nHost: localhost\r\nConnection: close\r\n" + headers + "\r\n";
            out.write(head.getBytes(StandardCharsets.ISO_8859_1));
            out.write(body.getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            in.transferTo(all);
            return parse(all.toByteArray());
        } catch (java.io.IOException e) {
            throw new AssertionError("raw request failed: " + e, e);
        }
    }

    private static Answer parse(byte[] response) {
        String latin = new String(response, StandardCharsets.ISO_8859_1);
        int end = latin.indexOf("\r\n\r\n");
        String[] lines = latin.substring(0, end).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            for (int pos = end + 4; ; ) {
                int lineEnd = latin.indexOf("\r\n", pos);
                int size = Integer.parseInt(latin.substring(pos, lineEnd).trim(), 16);
                if (size == 0) break;
                body.write(response, lineEnd + 2, size);
                pos = lineEnd + 2 + size + 2;
            }
        } else {
            body.write(response, end + 4, response.length - end - 4);
        }
        return new Answer(status, headers, body.toString(StandardCharsets.UTF_8));
    }
}
