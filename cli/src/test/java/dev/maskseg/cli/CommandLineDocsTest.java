package dev.maskseg.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's command table and the CLI's {@code --help} agree: the same runnable commands; each row names every
 * option of its command (any of its aliases), no option the command lacks, and writes an option outside {@code [...]}
 * exactly when the command requires it. Options every command inherits ({@code --backend}, {@code --plugins}) have
 * rows of their own; {@code --help}/{@code --version} are left out.
 */
class CommandLineDocsTest {
    private static final Pattern ROW = Pattern.compile("^\\| `((?:maskseg |--)[^`]*)`");
    private static final Pattern OPTION = Pattern.compile("(?<![\\w-])(--?[a-zA-Z][\\w-]*)");

    /** One row's usage: the command path after "maskseg" and each option mentioned with whether it was outside brackets. */
    record Usage(String command, Map<String, Boolean> optionRequired) {}

    @Test
    void readmeCommandTableMatchesTheCli() throws IOException {
        CommandLine root = Main.commandLine();
        Map<String, CommandLine> leaves = new LinkedHashMap<>();
        collect(root, "", leaves);
        List<Usage> rows = readmeRows();
        List<String> problems = new ArrayList<>();

        Map<String, Usage> byCommand = new LinkedHashMap<>();
        for (Usage u : rows) {
            if (u.command().isEmpty()) { // a row for an inherited option
                for (String o : u.optionRequired().keySet()) {
                    OptionSpec spec = root.getCommandSpec().findOption(o);
                    if (spec == null || spec.scopeType() != CommandLine.ScopeType.INHERIT) problems.add("README: " + o + " is not an option of every command");
                }
                continue;
            }
            if (byCommand.put(u.command(), u) != null) problems.add("README: two rows for 'maskseg " + u.command() + "'");
            if (!leaves.containsKey(u.command())) problems.add("README: 'maskseg " + u.command() + "' is not a command of the CLI");
        }
        for (var e : leaves.entrySet()) {
            Usage u = byCommand.get(e.getKey());
            if (u == null) {
                problems.add("README: no row for 'maskseg " + e.getKey() + "'");
                continue;
            }
            List<OptionSpec> own = e.getValue().getCommandSpec().options().stream()
                    .filter(o -> !o.inherited() && !o.usageHelp() && !o.versionHelp()).toList();
            for (OptionSpec o : own) {
                String named = null;
                for (String n : o.names()) if (u.optionRequired().containsKey(n)) named = n;
                if (named == null) {
                    problems.add("README 'maskseg " + e.getKey() + "': option " + o.longestName() + " missing");
                } else if (u.optionRequired().get(named) != o.required()) {
                    problems.add("README 'maskseg " + e.getKey() + "': " + named + " is " + (o.required() ? "required (write it outside [...])"
                            : "optional (write it inside [...])"));
                }
            }
            for (String n : u.optionRequired().keySet()) {
                if (own.stream().noneMatch(o -> List.of(o.names()).contains(n))) {
                    problems.add("README 'maskseg " + e.getKey() + "': " + n + " is not an option of the command");
                }
            }
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
        assertEquals(new TreeSet<>(leaves.keySet()), new TreeSet<>(byCommand.keySet()));
    }

    /** Runnable commands by path ("eval kmeans"); {@code help} is picocli's own. */
    private static void collect(CommandLine c, String path, Map<String, CommandLine> out) {
        if (!path.isEmpty() && (c.getSubcommands().isEmpty() || c.getCommandSpec().userObject() instanceof Callable)) out.put(path, c);
        for (var e : c.getSubcommands().entrySet()) {
            if (!e.getKey().equals("help")) collect(e.getValue(), path.isEmpty() ? e.getKey() : path + " " + e.getKey(), out);
        }
    }

    /** The rows of the README's "## Commands" table whose first cell is a usage in backticks. */
    private static List<Usage> readmeRows() throws IOException {
        Path readme = Files.exists(Path.of("README.md")) ? Path.of("README.md") : Path.of("..", "README.md");
        String text = Files.readString(readme);
        int from = text.indexOf("## Commands"), to = text.indexOf("\n## ", from + 1);
        assertTrue(from >= 0, "README has a '## Commands' section");
        List<Usage> rows = new ArrayList<>();
        for (String line : text.substring(from, to < 0 ? text.length() : to).split("\n")) {
            Matcher m = ROW.matcher(line);
            if (m.find()) rows.add(parse(m.group(1).replace("\\|", "|")));
        }
        assertTrue(rows.size() > 10, "README's command table has rows: " + rows.size());
        return rows;
    }

    /** {@code maskseg eval kmeans --model M [--split val]} → ("eval kmeans", {--model: true, --split: false}). */
    static Usage parse(String usage) {
        String[] words = usage.split("\\s+");
        StringBuilder command = new StringBuilder();
        int i = usage.startsWith("maskseg ") ? 1 : 0;
        for (; i < words.length && words[i].matches("[a-z][a-z0-9-]*"); i++) command.append(command.isEmpty() ? "" : " ").append(words[i]);
        Map<String, Boolean> options = new LinkedHashMap<>();
        int depth = 0;
        for (; i < words.length; i++) {
            String w = words[i];
            int at = 0;
            while (at < w.length() && w.charAt(at) == '[') {
                depth++;
                at++;
            }
            Matcher m = OPTION.matcher(w.substring(at));
            if (m.lookingAt()) options.merge(m.group(1), depth == 0, Boolean::logicalOr);
            for (char ch : w.substring(at).toCharArray()) {
                if (ch == '[') depth++;
                if (ch == ']') depth--;
            }
        }
        return new Usage(command.toString(), options);
    }
}
