package dev.maskseg.pipeline.demo;

import dev.maskseg.engine.backend.Backends;
import dev.maskseg.pipeline.RunFolder;
import dev.maskseg.pipeline.StageListener;
import dev.maskseg.pipeline.batch.BatchOptions;
import dev.maskseg.pipeline.config.RunConfig;
import dev.maskseg.pipeline.data.ImageSet;
import dev.maskseg.pipeline.data.JsonFiles;
import dev.maskseg.pipeline.data.Sample;
import dev.maskseg.pipeline.data.SyntheticScenes;
import dev.maskseg.pipeline.data.VocDataset;
import dev.maskseg.pipeline.mining.MaskMiningStage;
import dev.maskseg.prior.PriorParams;
import dev.maskseg.zoo.image.ImageDecoder;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The whole pipeline with no downloads: generate a VOC-layout dataset of procedural scenes, mine masks with a prior
 * ({@link MaskMiningStage}), then MaskContrast ({@link MaskContrastDemo}) or MaskDistill ({@link MaskDistillDemo}),
 * each also scored by a linear probe against the same network at random initialisation; writes {@code report.html}
 * ({@link DemoReport}), {@code metrics.json} (docs/design.md §4), {@code model.safetensors} (and {@code probe.safetensors}
 * for MaskContrast) into the output folder. Every long step reports progress to the listener.
 */
public final class DemoRunner {
    /** The trained model ({@code predict --model}, {@code eval --model}) and, for MaskContrast, its linear probe ({@code predict --probe}). */
    public static final String MODEL = "model.safetensors", PROBE = "probe.safetensors";

    /** The metrics written to {@code metrics.json}, and the report. */
    public record Result(Map<String, Object> metrics, Path report) {}

    /**
     * The generated dataset as the methods see it: train images with their mined masks, with ground truth, and val; and
     * where they come from (the dataset and mask folders, the ids of each list in order).
     */
    record Data(List<Sample> trainMasked, List<Sample> trainGt, List<Sample> val, int classes, Sources sources) {}

    /** The dataset folder, the prior's mask folder and the ids of {@link Data}'s three lists. */
    record Sources(Path dataset, Path masks, List<String> trainMaskedIds, List<String> trainIds, List<String> valIds) {}

    private DemoRunner() {}

    /** The demo config of {@code method} from {@code file}, or the embedded {@code configs/<method>/demo.yml}; {@code sets} override keys. */
    public static RunConfig config(String method, Path file, List<String> sets) throws IOException {
        if (file != null) return RunConfig.load(file, sets);
        String embedded = "configs/" + method + "/demo.yml";
        try (InputStream in = DemoRunner.class.getResourceAsStream("/" + embedded)) {
            if (in == null) throw new IOException("the embedded " + embedded + " is missing from the jar");
            return RunConfig.parse("embedded " + embedded, new String(in.readAllBytes(), StandardCharsets.UTF_8), sets);
        }
    }

    public static Result run(DemoOptions o, StageListener listener) throws Exception {
        long start = System.nanoTime();
        StepTimes times = new StepTimes();
        RunFolder.Mode mode = o.overwrite() ? RunFolder.Mode.OVERWRITE : RunFolder.Mode.NEW;
        RunFolder folder = RunFolder.claimNew(o.out(), "demo", Map.of(), o.overwrite());
        Path dataDir = o.out().resolve("dataset"), masks = o.out().resolve("masks");
        listener.info("demo: backend " + Backends.defaultBackend().name() + " on " + Backends.defaultBackend().device());
        times.begin("generate the dataset");
        listener.info(String.format("demo: 1/5 generating %d scenes of %dx%d in %s", o.images(), o.size(), o.size(), dataDir));
        SyntheticScenes.write(dataDir, o.images(), o.size(), o.seed(), listener);
        times.begin("mine masks");
        listener.info("demo: 2/5 mining masks with prior " + o.prior().name());
        PriorParams params = PriorParams.resolve(o.prior(), Map.of());
        VocDataset voc = new VocDataset(dataDir, false, listener);
        List<Path> generated = voc.ids("trainval").stream().map(voc::imageFile).toList(); // not older files an overwritten demo left
        MaskMiningStage.Summary mined = new MaskMiningStage(o.prior(), params).run(generated, masks, o.miningThreads(), new BatchOptions(false, mode), listener);
        listener.info(mined.line());

        ImageSet trainMaskedSet = voc.withMasks("train", masks), trainSet = voc.withLabels("train");
        List<Sample> trainViews = List.copyOf(trainMaskedSet); // small: decode once, keep in memory
        List<Sample> trainGt = List.copyOf(trainSet);
        ImageSet valSet = voc.withLabels("val");
        List<Sample> val = List.copyOf(valSet);
        Data data = new Data(trainViews, trainGt, val, SyntheticScenes.CLASSES.size(),
                new Sources(dataDir, masks, ids(trainMaskedSet), ids(trainSet), ids(valSet)));

        DemoOutcome outcome = o.method().equals("maskdistill") ? MaskDistillDemo.run(o, data, listener, times)
                : MaskContrastDemo.run(o, data, listener, times);
        double seconds = (System.nanoTime() - start) / 1e9;

        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("kmeans_miou", outcome.trained().kmeans().miou());
        metrics.put("linear_miou", outcome.trained().linear().miou());
        metrics.put("baseline_kmeans_miou", outcome.random().kmeans().miou());
        metrics.put("baseline_linear_miou", outcome.random().linear().miou());
        metrics.put("seconds", seconds);
        metrics.put("method", o.method());
        metrics.put("backend", Backends.defaultBackend().name());
        metrics.put("prior", o.prior().name());
        metrics.put("train_images_with_masks", trainViews.size());
        metrics.put("val_images", val.size());
        metrics.putAll(outcome.extra());
        JsonFiles.write(o.out().resolve("metrics.json"), metrics);

        List<String> ids = new ArrayList<>();
        List<byte[]> minedMasks = new ArrayList<>();
        for (int i = 0; i < val.size(); i++) {
            ids.add(valSet.id(i));
            minedMasks.add(minedMask(masks.resolve(valSet.id(i) + ".png")));
        }
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("method", o.method());
        run.put("images", o.images());
        run.put("size", o.size());
        run.put("prior", o.prior().name() + (params.asMap().isEmpty() ? " (no parameters)" : " " + new java.util.TreeMap<>(params.asMap())));
        run.put("seed", o.seed());
        run.put("backend", Backends.defaultBackend().name() + " on " + Backends.defaultBackend().device());
        run.put("mining threads", o.miningThreads());
        Map<String, Double> timings = times.seconds();
        timings.put("total", seconds);
        Path report = o.out().resolve("report.html");
        new DemoReport(o.out(), outcome, SyntheticScenes.CLASSES, o.prior().name()).write(report, val, ids, minedMasks, metrics, run, timings,
                String.format("%d generated %dx%d scenes (%d train with %s masks, %d val), %.0f s on backend %s. %s",
                        o.images(), o.size(), o.size(), trainViews.size(), o.prior().name(), val.size(), seconds, Backends.defaultBackend().name(),
                        outcome.notes()));
        if (outcome.extra().get("crf_rounds") instanceof List<?> rounds) {
            for (Object row : rounds) {
                Map<?, ?> r = (Map<?, ?>) row;
                listener.info(String.format("demo: CRF round %s (trained on %s, their train mIoU %s): val mIoU %.3f, with the CRF %.3f", r.get("round"),
                        r.get("train_labels"), r.get("train_labels_miou") == null ? "n/a" : String.format("%.3f", (Double) r.get("train_labels_miou")),
                        (Double) r.get("miou"), (Double) r.get("miou_crf")));
            }
        }
        folder.finish(metrics);
        listener.info(String.format("demo: %s mIoU %.3f (random init %.3f), linear probe mIoU %.3f (random init %.3f), %.0f s; report %s",
                outcome.clusterColumn(), outcome.trained().kmeans().miou(), outcome.random().kmeans().miou(), outcome.trained().linear().miou(),
                outcome.random().linear().miou(), seconds, report));
        listener.info(String.format("demo: model %s; try it on your own photos: maskseg predict --model %s --images DIR --out DIR",
                o.out().resolve(MODEL), o.out().resolve(MODEL)));
        return new Result(metrics, report);
    }

    private static List<String> ids(ImageSet set) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < set.size(); i++) out.add(set.id(i));
        return out;
    }

    /** A val image's mined mask (binarized) for the grid; null when the prior gave none or it cannot be read. */
    private static byte[] minedMask(Path png) {
        try {
            if (!Files.exists(png)) return null;
            var img = ImageDecoder.read(png, "mask");
            int[] px = img.getRaster().getPixels(0, 0, img.getWidth(), img.getHeight(), (int[]) null);
            byte[] m = new byte[px.length];
            for (int i = 0; i < px.length; i++) m[i] = (byte) (px[i] > 127 ? 1 : 0);
            return m;
        } catch (IOException e) {
            return null;
        }
    }
}
