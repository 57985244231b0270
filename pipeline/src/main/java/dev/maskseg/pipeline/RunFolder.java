package dev.maskseg.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.maskseg.engine.io.AtomicFiles;
import dev.maskseg.pipeline.data.Folder;
import dev.maskseg.pipeline.data.JsonFiles;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The output-folder guard every command that writes a folder of results goes through (docs/design.md §4b: no command
 * overwrites another finished run's outputs without {@code --resume} or {@code --overwrite}). A claimed folder holds
 * {@code run.json}: the command, its inputs, {@code "running"} or {@code "finished"}, and the command's summary once
 * finished (counts and per-file errors of a batch). Claiming a folder that holds
 * <ul>
 *   <li>nothing (missing or empty): a new run;</li>
 *   <li>a finished run of the command: {@link Mode#RESUME} continues it (same inputs), {@link Mode#OVERWRITE} starts over,
 *       otherwise refused;</li>
 *   <li>an interrupted run of the command: continued with {@link Mode#RESUME}, or without it for commands whose
 *       outputs are per file and skipped when done ({@code continuesInterrupted}); otherwise refused;</li>
 *   <li>another command's run or files of no run: only {@link Mode#OVERWRITE} (or {@link Mode#RESUME} for a folder
 *       written before run.json existed) proceeds.</li>
 * </ul>
 * A claimed folder loses the temp files a killed writer left in it ({@link AtomicFiles#removeStale}).
 */
public final class RunFolder {
    public static final String MARKER = "run.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What the user allowed: a new run only, continuing a run there ({@code --resume}), or replacing it ({@code --overwrite}). */
    public enum Mode { NEW, RESUME, OVERWRITE;

        /** From the two flags; both at once is a usage error. */
        public static Mode of(boolean resume, boolean overwrite) {
            if (resume && overwrite) throw new IllegalArgumentException("--resume and --overwrite exclude each other");
            return resume ? RESUME : overwrite ? OVERWRITE : NEW;
        }
    }

    private final Folder dir;
    private final String command;
    private final Map<String, String> inputs;
    private final boolean continued;

    private RunFolder(Folder dir, String command, Map<String, String> inputs, boolean continued) {
        this.dir = dir;
        this.command = command;
        this.inputs = inputs;
        this.continued = continued;
    }

    /** Claims {@code dir} for a run of {@code command} with {@code inputs} (what must match for a run to be continued). */
    public static RunFolder claim(Path dir, String command, Map<String, String> inputs, Mode mode, boolean continuesInterrupted) throws IOException {
        return claim(Folder.local(dir), command, inputs, mode, continuesInterrupted);
    }

    /** As {@link #claim(Path, String, Map, Mode, boolean)}, in a folder of any file system (a Spark job's). */
    public static RunFolder claim(Folder dir, String command, Map<String, String> inputs, Mode mode, boolean continuesInterrupted) throws IOException {
        return claim(dir, command, inputs, mode, continuesInterrupted, true);
    }

    /** Claims {@code dir} for a command that takes no {@code --resume} (demo, make-dataset): a new run, or with {@code overwrite} a replacing one. */
    public static RunFolder claimNew(Path dir, String command, Map<String, String> inputs, boolean overwrite) throws IOException {
        return claim(Folder.local(dir), command, inputs, overwrite ? Mode.OVERWRITE : Mode.NEW, false, false);
    }

    private static RunFolder claim(Folder dir, String command, Map<String, String> inputs, Mode mode, boolean continuesInterrupted, boolean resumable)
            throws IOException {
        Map<String, String> in = new TreeMap<>(inputs);
        if (dir.isFile()) throw new IOException(dir + ": is a file, not an output folder");
        boolean continued = false;
        if (dir.exists(MARKER)) {
            JsonNode m = readMarker(dir);
            String theirs = m.path("command").asText("?");
            boolean finished = "finished".equals(m.path("state").asText());
            if (mode == Mode.OVERWRITE) {
                continued = false;
            } else if (!theirs.equals(command)) {
                throw new IllegalArgumentException(dir + " holds a " + (finished ? "finished " : "") + theirs + " run, not " + command
                        + "; choose another output folder or pass --overwrite");
            } else if (finished && mode != Mode.RESUME) {
                throw new IllegalArgumentException(dir + " holds a finished " + command + " run; pass " + (resumable ? "--resume to continue it or " : "")
                        + "--overwrite to replace it");
            } else if (!finished && mode != Mode.RESUME && !continuesInterrupted) {
                throw new IllegalArgumentException(dir + " holds an interrupted " + command + " run; pass " + (resumable ? "--resume to continue it or " : "")
                        + "--overwrite to start over");
            } else {
                Map<String, String> before = new TreeMap<>();
                m.path("inputs").fields().forEachRemaining(e -> before.put(e.getKey(), e.getValue().asText()));
                if (!before.equals(in)) {
                    throw new IllegalArgumentException(dir + " holds a " + command + " run of " + before + ", not of " + in
                            + "; choose another output folder or pass --overwrite");
                }
                continued = true;
            }
        } else if (mode == Mode.RESUME) {
            continued = true; // a folder written before run.json existed: the command checks what it resumes from
        } else if (mode == Mode.NEW) {
            List<String> present = entries(dir);
            if (!present.isEmpty()) {
                throw new IllegalArgumentException(dir + " is not empty and holds no maskseg run (" + String.join(", ", present)
                        + "); choose a new or empty folder, or pass --overwrite to write into it");
            }
        }
        dir.removeStale(); // the folder is this command's (or to be overwritten): what a killed writer left goes
        RunFolder f = new RunFolder(dir, command, in, continued);
        f.write("running", null);
        return f;
    }

    /** Whether an earlier run's outputs here are kept and built on (resumed or continued). */
    public boolean continued() { return continued; }

    /** Marks the run finished, with the command's summary (counts, per-file errors). */
    public void finish(Map<String, Object> summary) throws IOException { write("finished", summary); }

    private void write(String state, Map<String, Object> summary) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("command", command);
        m.put("state", state);
        m.put("inputs", inputs);
        m.put("updated", Instant.now().toString());
        if (summary != null) m.put("summary", summary);
        byte[] bytes = JsonFiles.bytes(m);
        dir.write(MARKER, out -> out.write(bytes));
    }

    private static JsonNode readMarker(Folder dir) throws IOException {
        try (InputStream in = dir.open(MARKER)) {
            JsonNode m = JSON.readTree(in);
            if (m == null || !m.isObject()) throw new IOException("not a JSON object");
            return m;
        } catch (IOException e) {
            throw new IOException(dir.path(MARKER) + ": not a run record (" + e.getMessage() + "); delete it or pass --overwrite", e);
        }
    }

    /** Up to five names in {@code dir}, temp files left by a killed writer not counted. */
    private static List<String> entries(Folder dir) throws IOException {
        List<String> names = dir.list();
        return names.size() <= 5 ? names : Stream.concat(names.stream().limit(5), Stream.of("... " + (names.size() - 5) + " more")).toList();
    }
}
