package dev.maskseg.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.maskseg.engine.nn.Module;
import dev.maskseg.pipeline.maskdistill.MaskDistillConfig;
import dev.maskseg.pipeline.maskdistill.MaskDistillTrainer;
import dev.maskseg.pipeline.train.ModelFiles;
import dev.maskseg.testing.BadImages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * No silent overwrite and nothing lost: a folder holding a finished run (or other files) is refused without --resume or
 * --overwrite and left untouched; outputs get the umask's permissions; a killed mining run continues to the same masks
 * and leaves no temp file; a full disk ends mining with one line and a valid masks.json.
 */
class ReliabilityOutputsTest {
    @TempDir
    Path tmp;

    private Path images(int n) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("images"));
        for (int i = 0; i < n; i++) BadImages.write(dir.resolve(String.format("img%02d.png", i)), ReliabilityBatchTest.scene(i % 5));
        return dir;
    }

    private static byte[] bytes(Path f) throws IOException { return Files.readAllBytes(f); }

    @Test
    void predictAndMiningRefuseAFinishedRunAndKeepIt() throws Exception {
        Path in = images(3), pred = tmp.resolve("pred");
        MaskDistillConfig cfg = MaskDistillConfig.demo();
        Module m = MaskDistillTrainer.create(cfg, 1);
        Path model = tmp.resolve("model.safetensors");
        ModelFiles.saveMaskDistill(model, m, cfg);
        String[] args = {"predict", "--model", model.toString(), "--images", in.toString(), "--out", pred.toString()};
        assertEquals(0, Reliably.run(args).code());
        byte[] before = bytes(pred.resolve("img00.png"));
        Files.write(pred.resolve("img00.png"), new byte[]{7}); // a changed output shows whether a rerun rewrites it
        Reliably.fails(Reliably.run(args), 1, "maskseg predict: ", pred + " holds a finished predict run; pass --resume to continue it or --overwrite to replace it");
        assertArrayEquals(new byte[]{7}, bytes(pred.resolve("img00.png")), "refused: nothing rewritten");
        Console resumed = Reliably.run(concat(args, "--resume"));
        assertTrue(resumed.out().contains("0 images labelled, 0 failed (reported above), 3 already done"), resumed.out());
        Console over = Reliably.run(concat(args, "--overwrite"));
        assertEquals(0, over.code(), over.err());
        assertArrayEquals(before, bytes(pred.resolve("img00.png")), "--overwrite relabels");
        Reliably.fails(Reliably.run(concat(args, "--resume", "--overwrite")), 2, "--resume and --overwrite exclude each other");

        Path other = tmp.resolve("other-images");
        Files.createDirectories(other);
        Files.copy(in.resolve("img00.png"), other.resolve("img00.png"));
        Reliably.fails(Reliably.run("predict", "--model", model.toString(), "--images", other.toString(), "--out", pred.toString(), "--resume"), 1,
                "holds a predict run of", "choose another output folder or pass --overwrite");
        Reliably.fails(Reliably.run("mine-masks", "--prior", "mbplus", "--images", in.toString(), "--out", pred.toString()), 1,
                "holds a finished predict run, not mine-masks");
        Reliably.fails(Reliably.run("demo", "--out", pred.toString(), "--images", "10", "--size", "32"), 1, "holds a finished predict run, not demo");
    }

    @Test
    void foldersOfOtherFilesAreRefusedUnlessOverwrite() throws Exception {
        Path in = images(2), mine = Files.createDirectories(tmp.resolve("photos"));
        Files.writeString(mine.resolve("img00.png"), "my own file");
        Reliably.fails(Reliably.run("mine-masks", "--prior", "mbplus", "--images", in.toString(), "--out", mine.toString()), 1,
                mine + " is not empty and holds no maskseg run (img00.png)");
        assertEquals("my own file", Files.readString(mine.resolve("img00.png")));
        Path data = Files.createDirectories(tmp.resolve("voc"));
        Files.writeString(data.resolve("notes.txt"), "keep");
        Reliably.fails(Reliably.run("make-dataset", "--out", data.toString(), "--images", "4", "--size", "32"), 1, "is not empty and holds no maskseg run");
        assertEquals(0, Reliably.run("make-dataset", "--out", data.toString(), "--images", "4", "--size", "32", "--overwrite").code());
        assertEquals("keep", Files.readString(data.resolve("notes.txt")));
        Reliably.fails(Reliably.run("make-dataset", "--out", data.toString(), "--images", "4", "--size", "32"), 1,
                data + " holds a finished make-dataset run; pass --overwrite to replace it"); // it takes no --resume, so none is suggested
        Path demo = Files.createDirectories(tmp.resolve("demo"));
        Files.writeString(demo.resolve("run.json"), "{\"command\": \"demo\", \"state\": \"finished\", \"inputs\": {}}");
        Reliably.fails(Reliably.run("demo", "--out", demo.toString(), "--images", "10", "--size", "32"), 1,
                "maskseg demo: " + demo + " holds a finished demo run; pass --overwrite to replace it");
        Path file = Files.writeString(tmp.resolve("a-file"), "x");
        Reliably.fails(Reliably.run("mine-masks", "--prior", "mbplus", "--images", in.toString(), "--out", file.toString()), 1, "is a file, not an output folder");
    }

    @Test
    void outputsAreReadableByOthersAsTheUmaskSays() throws Exception {
        Path in = images(2), out = tmp.resolve("masks");
        assertEquals(0, Reliably.run("mine-masks", "--prior", "mbplus", "--images", in.toString(), "--out", out.toString()).code());
        Set<PosixFilePermission> umask = Files.getPosixFilePermissions(Files.createFile(tmp.resolve("plain")));
        for (String f : List.of("img00.png", "masks.json", "run.json")) assertEquals(umask, Files.getPosixFilePermissions(out.resolve(f)), f);
        assumeTrue(umask.contains(PosixFilePermission.OTHERS_READ), "the umask lets others read new files");
    }

    /** A mining run killed with SIGKILL, then run again without flags: it continues, the masks equal a straight run's, no temp file is left. */
    @Test
    void killedMiningContinuesToTheSameMasksAndLeavesNoTempFile() throws Exception {
        Path in = images(40), straight = tmp.resolve("straight"), killed = tmp.resolve("killed");
        assertEquals(0, Reliably.run(300, "mine-masks", "--prior", "mbplus", "--images", in.toString(), "--out", straight.toString(), "--threads", "2").code());
        Process p = Console.spawn("mine-masks", "--prior", "mbplus", "--images", in.toString(), "--out", killed.toString(), "--threads", "2");
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (p.isAlive() && pngs(killed) < 4 && System.nanoTime() < deadline) Thread.sleep(2);
        p.destroyForcibly();
        p.waitFor();
        assertTrue(pngs(killed) < 40, "killed before the end (" + pngs(killed) + " masks)");
        Path stale = Files.writeString(killed.resolve(".img39.png.k1ll3d.tmp"), "half a file"); // as a writer killed mid-file leaves
        assertEquals("running", Reliably.json(killed.resolve("run.json")).path("state").asText());
        Console again = Reliably.run(300, "mine-masks", "--prior", "mbplus", "--images", in.toString(), "--out", killed.toString(), "--threads", "2");
        assertEquals(0, again.code(), again.err());
        assertTrue(!Files.exists(stale), "the stale temp file is gone");
        try (Stream<Path> s = Files.list(killed)) {
            assertEquals(List.of(), s.filter(f -> f.getFileName().toString().endsWith(".tmp")).toList());
        }
        for (int i = 0; i < 40; i++) {
            String f = String.format("img%02d.png", i);
            assertArrayEquals(bytes(straight.resolve(f)), bytes(killed.resolve(f)), f);
        }
        JsonNode a = Reliably.json(straight.resolve("masks.json")).get("images"), b = Reliably.json(killed.resolve("masks.json")).get("images");
        assertEquals(a, b, "the same index");
    }

    private static long pngs(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) return 0;
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(f -> f.getFileName().toString().endsWith(".png")).count();
        }
    }

    /** Needs root and tmpfs (as here); elsewhere it is skipped. */
    @Test
    void fullDiskEndsMiningWithOneLineAndAValidIndex() throws Exception {
        Path in = images(30), disk = Files.createDirectories(tmp.resolve("disk"));
        Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=48k", "tmpfs", disk.toString()).redirectErrorStream(true).start();
        assumeTrue(mount.waitFor() == 0, "cannot mount a small tmpfs here");
        try {
            Path out = disk.resolve("masks");
            Console c = Reliably.run("mine-masks", "--prior", "mbplus", "--images", in.toString(), "--out", out.toString(), "--threads", "2");
            Reliably.fails(c, 1, "maskseg mine-masks: " + out, ": no space left on device", "masks.json");
            JsonNode idx = Reliably.json(out.resolve("masks.json"));
            assertEquals("mbplus", idx.get("prior").asText(), "masks.json is whole");
            try (Stream<Path> s = Files.list(out)) {
                assertEquals(List.of(), s.filter(f -> f.getFileName().toString().endsWith(".tmp")).toList(), "no temp file left");
            }
        } finally {
            new ProcessBuilder("umount", disk.toString()).start().waitFor();
        }
    }

    static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
