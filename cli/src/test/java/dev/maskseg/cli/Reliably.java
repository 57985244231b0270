package dev.maskseg.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

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
        assertEquals(1, problemLines(c.err()).lines().count(), "one line on stderr: " + c.err());
        failsAfterProblems(c, code, fragments);
    }

    /** The command failed with {@code code}; its last stderr line (after any per-file problem lines) holds every fragment. */
    static void failsAfterProblems(Console c, int code, String... fragments) {
        assertEquals(code, c.code(), "exit code; stderr: " + c.err());
        List<String> lines = problemLines(c.err()).lines().toList();
        assertFalse(lines.isEmpty(), "a line on stderr");
        String line = lines.getLast();
        for (String f : fragments) assertTrue(line.contains(f), "stderr says '" + f + "': " + line);
        assertTrue(line.startsWith("maskseg "), "the line starts with 'maskseg <command>:': " + line);
        String prefix = line.substring(0, line.indexOf(": ")), rest = line.substring(prefix.length() + 2);
        String command = prefix.substring("maskseg ".length()), last = command.substring(command.lastIndexOf(' ') + 1);
        assertFalse(rest.startsWith(command + ":") || rest.startsWith(last + ":") || rest.contains(prefix + ":"), "the command's name is not repeated: " + line);
    }

    /** stderr without progress (bars, and the plain "task: started/done/a/b" lines of a log) and the engine's log records (java.util.logging). */
    static String problemLines(String err) {
        StringBuilder b = new StringBuilder();
        for (String l : err.split("\r?\n|\r")) {
            if (l.isBlank() || l.contains("%") || l.contains("[=") || LOG.matcher(l).find() || PROGRESS.matcher(l).find()) continue;
            b.append(l.strip()).append('\n');
        }
        return b.toString();
    }

    private static final java.util.regex.Pattern PROGRESS = java.util.regex.Pattern.compile("^[^:/]+: (started|resuming at |done, |stopped at |\\d+/\\d+ )");
    private static final java.util.regex.Pattern LOG = java.util.regex.Pattern.compile(
            "^(INFO|WARNING|CONFIG|FINE): |^[A-Z][a-z]{2} \\d{1,2}, \\d{4} \\d{1,2}:\\d{2}:\\d{2} [AP]M ");

    static JsonNode json(Path file) throws IOException { return new ObjectMapper().readTree(file.toFile()); }
}
