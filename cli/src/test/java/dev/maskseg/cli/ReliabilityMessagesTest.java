package dev.maskseg.cli;

import dev.maskseg.testing.BadImages;
import dev.maskseg.testing.PickleBytes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static dev.maskseg.testing.PickleBytes.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Exit codes and messages (docs/design.md §4): 0 ok, 2 usage (every numeric option checked, MASKSEG_BACKEND like
 * --backend), 1 failure with one line naming the file and the real cause, never a stack trace or a hang, also for
 * hostile weight files and inputs larger than the heap.
 */
class ReliabilityMessagesTest {
    @TempDir
    Path tmp;

    @Test
    void numericOptionsOutOfRangeAreUsageErrors() throws IOException {
        Path f = Files.writeString(tmp.resolve("f"), "x");
        String p = f.toString();
        String[][] cases = {
                {"--epochs", "demo", "--epochs", "0"},
                {"--images", "demo", "--images", "1"},
                {"--size", "make-dataset", "--out", p, "--size", "50000"},
                {"--size", "make-dataset", "--out", p, "--size", "-3"},
                {"--clusters", "eval", "kmeans", "--model", p, "--data", p, "--json", p, "--clusters", "0"},
                {"--pca-dims", "eval", "kmeans", "--model", p, "--data", p, "--json", p, "--pca-dims", "0"},
                {"--lr", "eval", "linear", "--model", p, "--data", p, "--json", p, "--lr", "-1"},
                {"--epochs", "eval", "linear", "--model", p, "--data", p, "--json", p, "--epochs", "0"},
                {"--ignore", "eval", "miou", "--pred", p, "--gt", p, "--num-classes", "3", "--json", p, "--ignore", "300"},
                {"--num-classes", "eval", "miou", "--pred", p, "--gt", p, "--num-classes", "0", "--json", p},
                {"--threads", "mine-masks", "--prior", "mbplus", "--images", p, "--out", p, "--threads", "0"},
                {"--resize", "features", "--weights", p, "--images", p, "--out", p, "--resize", "-1"},
                {"--resize", "features", "--weights", p, "--images", p, "--out", p, "--resize", "100000"},
                {"--size", "eval", "kmeans", "--model", p, "--data", p, "--json", p, "--size", "100000"},
                {"--steps", "smoke", "--steps", "0"},
        };
        for (String[] c : cases) {
            Console r = Reliably.run(java.util.Arrays.copyOfRange(c, 1, c.length));
            Reliably.fails(r, 2, "Invalid value for option '" + c[0] + "'");
        }
        Reliably.fails(Reliably.run("demo", "--prior", "nope"), 2, "maskseg demo: --prior: unknown prior 'nope'");
        Reliably.fails(Reliably.run("--backend", "nope", "backends"), 2, "unknown backend 'nope'");
        System.setProperty("maskseg.backend", "nope");
        try {
            Reliably.fails(Reliably.run("backends"), 2, "unknown backend 'nope'", "MASKSEG_BACKEND");
        } finally {
            System.clearProperty("maskseg.backend");
        }
    }

    /** The environment variable itself, in a child JVM. */
    @Test
    void backendFromTheEnvironmentIsAUsageErrorToo() throws Exception {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(), "--add-modules", "jdk.incubator.vector",
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), "backends"));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("MASKSEG_BACKEND", "nope");
        pb.environment().remove("MASKSEG_DEBUG");
        Process proc = pb.start();
        String out = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(proc.waitFor(120, TimeUnit.SECONDS));
        assertEquals(2, proc.exitValue(), out);
        assertTrue(out.contains("maskseg backends: unknown backend 'nope'"), out);
    }

    @Test
    void missingAndWrongKindsOfFilesNameTheRealCause() throws IOException {
        Path missing = tmp.resolve("missing"), file = Files.writeString(tmp.resolve("file.txt"), "x");
        Reliably.fails(Reliably.run("eval", "miou", "--pred", missing.toString(), "--gt", tmp.toString(), "--num-classes", "3", "--json",
                tmp.resolve("o.json").toString()), 1, "maskseg eval miou: " + missing + ": does not exist");
        Reliably.fails(Reliably.run("mine-masks", "--prior", "mbplus", "--images", file.toString(), "--out", tmp.resolve("m").toString()), 1,
                file + ": is a file, not a folder of images");
        Reliably.fails(Reliably.run("mine-masks", "--prior", "mbplus", "--images", missing.toString(), "--out", tmp.resolve("m").toString()), 1,
                missing + ": does not exist");
        Path input = tmp.resolve("in.safetensors");
        writeHeader(input, "{\"input\":{\"dtype\":\"F32\",\"shape\":[1,3,2,2],\"data_offsets\":[0,48]}}", 48);
        Reliably.fails(Reliably.run("forward", "--model", "resnet50", "--weights", missing.toString(), "--input", input.toString(), "--out",
                tmp.resolve("o.safetensors").toString()), 1, missing + ": does not exist");
    }

    @Test
    void corruptIndexOnResumeIsOneLine() throws IOException {
        Path images = Files.createDirectories(tmp.resolve("images")), out = tmp.resolve("masks");
        BadImages.write(images.resolve("a.png"), ReliabilityBatchTest.scene(1));
        assertEquals(0, Reliably.run("mine-masks", "--prior", "mbplus", "--images", images.toString(), "--out", out.toString()).code());
        Files.writeString(out.resolve("masks.json"), "{\"images\": {\"a\": [1, 2");
        Reliably.fails(Reliably.run("mine-masks", "--prior", "mbplus", "--images", images.toString(), "--out", out.toString(), "--resume"), 1,
                out.resolve("masks.json") + ": not a masks index (invalid JSON");
        Files.writeString(out.resolve("masks.json"), "{\"prior\": \"mbplus\", \"params\": {}, \"images\": {\"a\": {\"masks\": [{\"file\": \"../../x.png\", \"score\": 1}]}}}");
        Reliably.fails(Reliably.run("mine-masks", "--prior", "mbplus", "--images", images.toString(), "--out", out.toString(), "--resume"), 1,
                "names the mask file '../../x.png', which is not a file name in");
    }

    /** Weights whose pickle hashes a 2^80-leaf tuple, and an input tensor of 16 GiB (a sparse file): one line each, quickly. */
    @Test
    void hostileWeightsAndOversizedInputsAreOneLine() throws IOException {
        PickleBytes p = new PickleBytes().op(EMPTY_DICT).integer(1).op(TUPLE1).put(0);
        for (int i = 1; i <= 80; i++) p.op(POP).get(i - 1).get(i - 1).op(TUPLE2).put(i);
        p.integer(7).op(SETITEM);
        Path bomb = tmp.resolve("bomb.pth"), input = tmp.resolve("input.safetensors"), out = tmp.resolve("o.safetensors");
        p.writePth(bomb, Map.of());
        Path small = tmp.resolve("small.safetensors");
        writeHeader(small, "{\"input\":{\"dtype\":\"F32\",\"shape\":[1,3,2,2],\"data_offsets\":[0,48]}}", 48);
        Reliably.fails(Reliably.run(60, "forward", "--model", "resnet50", "--weights", bomb.toString(), "--input", small.toString(), "--out", out.toString()),
                1, bomb + ": dict with a tuple key of more than 1000 elements");

        long n = Integer.MAX_VALUE;
        writeHeader(input, "{\"input\":{\"dtype\":\"F64\",\"shape\":[1,1,1," + n + "],\"data_offsets\":[0," + 8 * n + "]}}", 8 * n);
        Reliably.fails(Reliably.run(60, "forward", "--model", "resnet50", "--weights", bomb.toString(), "--input", input.toString(), "--out", out.toString()),
                1, input.toString(), "needs 16.0 GiB", "MASKSEG_JAVA_OPTS=-Xmx");
        Path shape = tmp.resolve("shape.safetensors");
        writeHeader(shape, "{\"input\":{\"dtype\":\"F32\",\"shape\":[1.9],\"data_offsets\":[0,4]}}", 4);
        Reliably.fails(Reliably.run(60, "forward", "--model", "resnet50", "--weights", bomb.toString(), "--input", shape.toString(), "--out", out.toString()),
                1, shape + ": tensor 'input' has invalid dimension 1.9");
        Reliably.fails(Reliably.run(60, "make-dataset", "--out", tmp.resolve("big").toString(), "--size", "16384"), 1,
                "a generated 16384x16384 scene needs 8.0 GiB", "MASKSEG_JAVA_OPTS=-Xmx");
        assertTrue(!Files.exists(tmp.resolve("big")), "refused before anything was written");
    }

    /** A safetensors file of this header and {@code dataLength} bytes of data (sparse). */
    private static void writeHeader(Path f, String header, long dataLength) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length).array());
            raf.write(h);
            raf.setLength(8 + h.length + dataLength);
        }
    }
}
