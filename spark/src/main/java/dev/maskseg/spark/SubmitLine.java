package dev.maskseg.spark;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code spark-submit} command line of a stage ({@code --print-submit}): the master, the application jar with its
 * main class, the JVM flags for the driver and the executors, the user's {@code --conf} settings and plugin jars, and
 * the stage's own arguments. One argument per line, shell-quoted, so it can be pasted as it is.
 */
final class SubmitLine {
    /** Options of {@link SparkOptions} that become spark-submit's own (the rest are passed to the application). */
    private static final Set<String> SPARK_ONLY = Set.of("--master", "--conf", "--plugins");

    private SubmitLine() {}

    static String of(List<String> stage, List<String> args, SparkOptions o, List<String> pluginJars) {
        List<List<String>> lines = new ArrayList<>();
        lines.add(List.of("spark-submit"));
        lines.add(List.of("--master", o.master == null ? "MASTER_URL" : o.master));
        lines.add(List.of("--class", SparkMain.class.getName()));
        String flags = AppJar.jvmFlags();
        lines.add(List.of("--conf", "spark.driver.extraJavaOptions=" + flags));
        lines.add(List.of("--conf", "spark.executor.extraJavaOptions=" + flags));
        for (Map.Entry<String, String> c : o.settings().entrySet()) lines.add(List.of("--conf", c.getKey() + "=" + c.getValue()));
        if (!pluginJars.isEmpty()) lines.add(List.of("--jars", String.join(",", pluginJars)));
        lines.add(List.of(AppJar.locate().toString()));
        List<String> current = new ArrayList<>(stage);
        for (String a : applicationArgs(stage, args)) {
            if (a.startsWith("--")) {
                lines.add(current);
                current = new ArrayList<>();
            }
            current.add(a);
        }
        lines.add(current);
        List<String> out = new ArrayList<>();
        for (List<String> l : lines) out.add(String.join(" ", l.stream().map(SubmitLine::quote).toList()));
        return String.join(" \\\n  ", out);
    }

    /** The stage's arguments without the stage words, --print-submit and what spark-submit takes itself. */
    static List<String> applicationArgs(List<String> stage, List<String> args) {
        List<String> out = new ArrayList<>();
        int start = 0;
        while (start < args.size() && start < stage.size() && args.get(start).equals(stage.get(start))) start++;
        for (int i = start; i < args.size(); i++) {
            String a = args.get(i), name = a.contains("=") ? a.substring(0, a.indexOf('=')) : a;
            if (a.equals("--print-submit")) continue;
            if (SPARK_ONLY.contains(name)) {
                if (!a.contains("=")) i++;
                continue;
            }
            out.add(a);
        }
        return out;
    }

    static String quote(String s) {
        if (!s.isEmpty() && s.matches("[A-Za-z0-9_@%+=:,./\\[\\]-]+")) return s;
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
