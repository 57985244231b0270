package dev.maskseg.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Test helper for the reliability suite: the CLI in-process under a time limit, with no stack trace allowed on its output. */
final class Reliably {
    private Reliably() {}

    /** The command, which must end within {@code seconds} and print no stack trace. */
    static Console run(int seconds, String... args) {
        Console c = assertTimeoutPreemptively(Duration.ofSeconds(seconds), () -> Console.run(args), () -> "maskseg " + String.join(" ", args) + " hung");
        noStackTrace(c);
        return c;
    }

    static Console run(String... args) { return run(120, args); }

    static void noStackTrace(Console c) {
        for (String s : new String[]{c.out(), c.err()}) {
            assertFalse(s.contains("\tat ") || s.contains("Exception in thread") || s.contains("Caused by:"), "a stack trace was printed:\n" + s);
        }
    }

    /** The command failed with {@code code} and one stderr line (progress bars aside) holding every fragment. */
    static void fails(Console c, int code, String... fragments) {
        assertEquals(code, c.code(), "exit code; stderr: " + c.err());
        String line = problemLines(c.err());
        assertEquals(1, line.lines().count(), "one line on stderr: " + c.err());
        for (String f : fragments) assertTrue(line.contains(f), "stderr says '" + f + "': " + line);
        assertEquals(1, line.split("maskseg ", -1).length - 1, "one 'maskseg <command>:' prefix: " + line);
    }

    /** stderr without progress-bar lines. */
    static String problemLines(String err) {
        StringBuilder b = new StringBuilder();
        for (String l : err.split("\r?\n|\r")) if (!l.isBlank() && !l.contains("%") && !l.contains("[=")) b.append(l.strip()).append('\n');
        return b.toString();
    }

    static JsonNode json(Path file) throws IOException { return new ObjectMapper().readTree(file.toFile()); }
}
