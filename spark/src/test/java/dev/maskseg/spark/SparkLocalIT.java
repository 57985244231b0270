package dev.maskseg.spark;

import dev.maskseg.engine.io.SafeTensors;
import dev.maskseg.pipeline.StageListener;
import dev.maskseg.pipeline.data.MasksIndex;
import dev.maskseg.pipeline.data.PriorMasks;
import dev.maskseg.pipeline.data.VocDataset;
import dev.maskseg.pipeline.maskdistill.ClusteringConfig;
import dev.maskseg.pipeline.maskdistill.MaskClustering;
import dev.maskseg.pipeline.maskdistill.MaskDistillConfig;
import dev.maskseg.pipeline.maskdistill.MaskDistillTrainer;
import dev.maskseg.pipeline.maskdistill.PseudoLabelStage;
import dev.maskseg.pipeline.train.ModelFiles;
import dev.maskseg.zoo.Models;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every stage in local[2] against its single-machine command on generated data: the same bytes. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SparkLocalIT {
    static final String MASTER = "local[2]";

    @TempDir
    static Path tmp;
    Path voc, images, singleMasks;
    SparkSession session;

    @BeforeAll
    void start() throws Exception {
        voc = Fixtures.dataset(tmp.resolve("voc"), 10, 64);
        images = voc.resolve("JPEGImages");
        singleMasks = tmp.resolve("single-masks");
        assertEquals(0, Fixtures.single("mine-masks", "--prior", "mbplus", "--images", images.toString(), "--out", singleMasks.toString()).code());
        session = TestSessions.start(MASTER);
    }

    @AfterAll
    void stop() { session.stop(); }

    @Test
    void mineMasksWritesTheSingleMachineBytesAndResumes() throws Exception {
        Path out = tmp.resolve("spark-masks");
        String[] args = {"mine-masks", "--master", MASTER, "--prior", "mbplus", "--images", images.toString(), "--out", out.toString()};
        Fixtures.Run r = Fixtures.spark(args);
        assertEquals(0, r.code());
        assertTrue(r.out().contains(": 10 images with 10 masks, 0 dropped (no mask), 1 failed (reported above), 0 already done;"), r.out());
        assertTrue(r.out().contains("spark mine-masks: executors computed on jvm on "), "the job says which backend ran: " + r.out());
        Fixtures.assertSameFiles(singleMasks, out);
        assertEquals(MasksIndex.Entry.ERROR, MasksIndex.read(out).entry("zz_broken").status(), "the broken image is one error entry");

        assertEquals(1, Fixtures.spark(args).code(), "a finished run is refused without --resume or --overwrite");
        r = Fixtures.spark(cat(args, new String[]{"--resume"}));
        assertEquals(0, r.code());
        assertTrue(r.out().contains(": 0 images with 0 masks, 0 dropped (no mask), 1 failed (reported above), 10 already done;"), r.out());
        Fixtures.assertSameFiles(singleMasks, out);
        assertEquals(1, Fixtures.spark(cat(args, new String[]{"--overwrite", "--strict"})).code(), "--strict stops at the broken image");
    }

    @Test
    void partitionsAreSizedByBytes() throws Exception {
        List<String> uris = new java.util.ArrayList<>();
        for (int i = 0; i < 40; i++) uris.add(images.resolve(String.format("scene_%05d.jpg", i % 10)).toUri().toString());
        // each file counts its size plus the 4 MiB open cost; the default 128 MiB is capped at the bytes per core
        assertEquals(2, ImageJobs.scan(session, uris).getNumPartitions(), "40 small files over local[2]'s two cores");
        session.conf().set("spark.sql.files.maxPartitionBytes", "8m");
        try {
            assertEquals(20, ImageJobs.scan(session, uris).getNumPartitions(), "two files per 8 MiB partition");
        } finally {
            session.conf().unset("spark.sql.files.maxPartitionBytes");
        }
    }

    @Test
    void mineMasksReadsAndWritesAnyHadoopFileSystem() throws Exception {
        session.sparkContext().hadoopConfiguration().set("fs." + ForeignFileSystem.SCHEME + ".impl", ForeignFileSystem.class.getName());
        Path out = tmp.resolve("foreign-masks");
        String[] args = {"mine-masks", "--master", MASTER, "--prior", "mbplus", "--images", ForeignFileSystem.SCHEME + "://" + images, "--out",
                ForeignFileSystem.SCHEME + "://" + out};
        Fixtures.Run r = Fixtures.spark(args);
        assertEquals(0, r.code());
        assertTrue(r.out().contains(": 10 images with 10 masks, 0 dropped (no mask), 1 failed (reported above), 0 already done;"), r.out());
        Fixtures.assertSameFiles(singleMasks, out, ForeignFileSystem.SCHEME); // no checksum files, no temporary names left
        assertTrue(Fixtures.spark(cat(args, new String[]{"--resume"})).out().contains("10 already done"), "masks.json is read back through the Hadoop file system");
        Fixtures.assertSameFiles(singleMasks, out, ForeignFileSystem.SCHEME);
    }

    @Test
    void mineMasksTakesASplitFile() throws Exception {
        Path out = tmp.resolve("val-masks");
        Path ids = voc.resolve("ImageSets/Segmentation/val.txt");
        assertEquals(0, Fixtures.spark("mine-masks", "--master", MASTER, "--prior", "mbplus", "--images", images.toString(), "--split", ids.toString(),
                "--out", out.toString()).code());
        List<String> val = Files.readAllLines(ids).stream().filter(s -> !s.isBlank()).sorted().toList();
        assertEquals(val, List.copyOf(MasksIndex.read(out).entries().keySet()));
        for (String id : val) assertEquals(-1, Files.mismatch(singleMasks.resolve(id + ".png"), out.resolve(id + ".png")), id);
    }

    @Test
    void evalMiouGivesTheSingleMachineJson() throws Exception {
        Path gt = voc.resolve("SegmentationClass"), pred = Fixtures.predictions(gt, tmp.resolve("pred"));
        for (String matching : List.of("hungarian", "majority", "none")) {
            Path one = tmp.resolve("single-" + matching + ".json"), two = tmp.resolve("spark-" + matching + ".json");
            String[] common = {"--pred", pred.toString(), "--gt", gt.toString(), "--num-classes", "5", "--matching", matching};
            Fixtures.Run a = Fixtures.single(cat(new String[]{"eval", "miou"}, common, new String[]{"--json", one.toString()}));
            Fixtures.Run b = Fixtures.spark(cat(new String[]{"eval", "miou", "--master", MASTER}, common, new String[]{"--json", two.toString()}));
            assertEquals(0, a.code());
            assertEquals(0, b.code());
            assertEquals(Files.readString(one), Files.readString(two), matching);
            assertEquals(a.out().replace(one.toString(), ""), b.out().replace(two.toString(), ""));
        }
        Path partial = Files.createDirectories(tmp.resolve("partial-pred")), x = tmp.resolve("x.json"), y = tmp.resolve("y.json");
        try (var s = Files.list(pred)) {
            for (Path p : s.sorted().skip(1).toList()) Files.copy(p, partial.resolve(p.getFileName())); // the first prediction missing
        }
        Files.copy(pred.resolve("scene_00000.png"), partial.resolve("extra.png"));
        String[] common = {"--pred", partial.toString(), "--gt", gt.toString(), "--num-classes", "5"};
        assertEquals(1, Fixtures.spark(cat(new String[]{"eval", "miou", "--master", MASTER}, common, new String[]{"--json", x.toString()})).code(),
                "a missing prediction fails the evaluation, as in eval miou");
        assertTrue(!Files.exists(x), "no scores for a partial folder");
        assertEquals(0, Fixtures.spark(cat(new String[]{"eval", "miou", "--master", MASTER, "--allow-missing"}, common, new String[]{"--json", x.toString()})).code());
        assertEquals(0, Fixtures.single(cat(new String[]{"eval", "miou", "--allow-missing"}, common, new String[]{"--json", y.toString()})).code());
        assertEquals(Files.readString(y), Files.readString(x), "the same coverage (1 missing, 1 extra) and scores");
        assertTrue(Files.readString(x).contains("\"missing\" : 1"), Files.readString(x));
    }

    @Test
    void featuresAndPredictWriteTheSingleMachineBytes() throws Exception {
        Path few = Files.createDirectories(tmp.resolve("few"));
        for (String id : List.of("scene_00000", "scene_00001", "scene_00002")) Files.copy(images.resolve(id + ".jpg"), few.resolve(id + ".jpg"));
        Path vit = tmp.resolve("vit.safetensors");
        SafeTensors.write(vit, Models.create("vit_small_patch16", 1).module().stateDict(), Map.of());
        String[] f = {"--weights", vit.toString(), "--images", few.toString(), "--resize", "48"};
        assertEquals(0, Fixtures.single(cat(new String[]{"features"}, f, new String[]{"--out", tmp.resolve("f1").toString()})).code());
        Fixtures.Run r = Fixtures.spark(cat(new String[]{"features", "--master", MASTER}, f, new String[]{"--out", tmp.resolve("f2").toString()}));
        assertEquals(0, r.code());
        assertTrue(r.out().contains("3 images done, 0 skipped (already done), 0 failed"), r.out());
        Fixtures.assertSameFiles(tmp.resolve("f1"), tmp.resolve("f2"));
        String[] fAgain = cat(new String[]{"features", "--master", MASTER}, f, new String[]{"--out", tmp.resolve("f2").toString()});
        assertEquals(1, Fixtures.spark(fAgain).code(), "a finished features run is refused");
        r = Fixtures.spark(cat(fAgain, new String[]{"--overwrite"}));
        assertTrue(r.out().contains("3 images done, 0 skipped (already done), 0 failed"), "--overwrite writes every file again: " + r.out());
        Fixtures.assertSameFiles(tmp.resolve("f1"), tmp.resolve("f2"));

        Path model = tmp.resolve("model.safetensors");
        MaskDistillConfig cfg = MaskDistillConfig.demo();
        ModelFiles.saveMaskDistill(model, MaskDistillTrainer.create(cfg, 5), cfg);
        assertEquals(0, Fixtures.single("predict", "--model", model.toString(), "--images", images.toString(), "--out", tmp.resolve("p1").toString()).code());
        r = Fixtures.spark("predict", "--master", MASTER, "--model", model.toString(), "--images", images.toString(), "--out", tmp.resolve("p2").toString());
        assertEquals(0, r.code());
        assertTrue(r.out().contains("10 images done, 0 skipped (already done), 1 failed"), r.out());
        Fixtures.assertSameFiles(tmp.resolve("p1"), tmp.resolve("p2"));
        String[] again = {"predict", "--master", MASTER, "--model", model.toString(), "--images", images.toString(), "--out", tmp.resolve("p2").toString()};
        assertEquals(1, Fixtures.spark(again).code(), "a finished predict run is refused, its files kept");
        r = Fixtures.spark(cat(again, new String[]{"--resume"}));
        assertEquals(0, r.code());
        assertTrue(r.out().contains("0 images done, 10 skipped (already done), 1 failed"), r.out());
        assertEquals(1, Fixtures.spark(cat(again, new String[]{"--overwrite", "--strict"})).code(), "--strict stops at the broken image");

        Path twins = Files.createDirectories(tmp.resolve("twins"));
        Files.copy(images.resolve("scene_00000.jpg"), twins.resolve("x.jpg"));
        Files.copy(few.resolve("scene_00001.jpg"), twins.resolve("x.png.jpg")); // stem "x.png": no clash
        Files.copy(images.resolve("scene_00002.jpg"), twins.resolve("x.JPEG"));
        assertEquals(1, Fixtures.spark("predict", "--master", MASTER, "--model", model.toString(), "--images", twins.toString(), "--out",
                tmp.resolve("p3").toString()).code(), "x.jpg and x.JPEG would write one x.png: the folder is refused");
        assertTrue(!Files.exists(tmp.resolve("p3")), "before anything is written");
    }

    @Test
    void pseudoMapsAreThoseOfTheSingleMachineStage() throws Exception {
        MaskDistillConfig cfg = MaskDistillConfig.demo();
        ClusteringConfig clustering = new ClusteringConfig("vit_small_patch16", "", 1234, 1, "none");
        VocDataset data = new VocDataset(voc, false, m -> {});
        Path single = tmp.resolve("pseudo-single");
        new PseudoLabelStage(data::imageFile, PriorMasks.open(singleMasks), false)
                .run(data.ids("trainval"), MaskClustering.vit(clustering, clustering.seed()), cfg, clustering, null, single, StageListener.NONE);
        Path config = tmp.resolve("pseudo.yml"), run = tmp.resolve("pseudo-run");
        Files.writeString(config, "data:\n  root: " + voc + "\n  split: trainval\n  masks: " + singleMasks + "\nclustering:\n  vit: vit_small_patch16\n  seed: 1234\n"
                + "maskdistill:\n  backbone: small\n  clusters: 4\n  freeze_early_layers: false\n");
        Fixtures.Run r = Fixtures.spark("pseudo-maps", "--master", MASTER, "--config", config.toString(), "--out", run.toString());
        assertEquals(0, r.code());
        assertTrue(r.out().contains("10 masks of 10 images in 4 clusters"), r.out());
        Fixtures.assertSameFiles(single, run.resolve("pseudo"));

        Path train = tmp.resolve("train-on-spark-maps");
        r = Fixtures.single("train", "maskdistill", "--config", config.toString(), "--labels", run.resolve("pseudo").toString(), "--out", train.toString(),
                "--set", "maskdistill.epochs=1", "--set", "maskdistill.batch=2", "--set", "maskdistill.size=0", "--set", "maskdistill.width=8");
        assertEquals(0, r.code(), "train maskdistill trains on the Spark job's pseudo maps");
        assertTrue(Files.exists(train.resolve("model.safetensors")));
    }

    private static String[] cat(String[]... parts) {
        return java.util.Arrays.stream(parts).flatMap(java.util.Arrays::stream).toArray(String[]::new);
    }
}
