package dev.maskseg.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.backend.Backends;
import dev.maskseg.engine.io.AtomicFiles;
import dev.maskseg.pipeline.data.Sample;
import dev.maskseg.pipeline.data.SyntheticScenes;
import dev.maskseg.pipeline.data.VocDataset;
import dev.maskseg.pipeline.eval.Miou;
import dev.maskseg.pipeline.maskcontrast.Evaluation;
import dev.maskseg.pipeline.maskcontrast.MaskContrastConfig;
import dev.maskseg.pipeline.maskcontrast.MaskContrastTrainer;
import dev.maskseg.zoo.LinearProbe;
import dev.maskseg.zoo.maskcontrast.MaskContrastModel;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "demo", description = {"The whole MaskContrast pipeline with no downloads: generate a VOC-layout dataset of procedural scenes, "
        + "mine saliency masks (MB+), train a small MaskContrast model, evaluate it (prototype k-means + Hungarian, linear probe) "
        + "against the same network at random initialisation, and write DIR/report.html and DIR/metrics.json."})
final class DemoCommand implements Callable<Integer> {
    static final long[] KMEANS_SEEDS = {1234, 1235, 1236, 1237, 1238};

    @Option(names = "--out", defaultValue = "demo-out", description = "Output folder (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--images", defaultValue = "320", description = "Generated images, 80%% train (default: ${DEFAULT-VALUE}).")
    int images;

    @Option(names = "--size", defaultValue = "96", description = "Image side in pixels (default: ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--epochs", defaultValue = "-1", description = "Training epochs (default: the demo config's).")
    int epochs;

    @Option(names = "--prior", defaultValue = "mbplus", description = "Mask prior for the masks (default: ${DEFAULT-VALUE}).")
    String prior;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the dataset, the model and the sampling (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() throws Exception {
        long start = System.nanoTime();
        Files.createDirectories(out);
        Path data = out.resolve("dataset"), masks = out.resolve("masks");
        System.out.println("demo: backend " + Backends.defaultBackend().name() + " on " + Backends.defaultBackend().device());
        System.out.printf("demo: 1/4 generating %d scenes of %dx%d in %s%n", images, size, size, data);
        SyntheticScenes.write(data, images, size, seed);
        System.out.println("demo: 2/4 mining masks with prior " + prior);
        int rc = new CommandLine(new Main()).execute("mine-masks", "--prior", prior, "--images", data.resolve("JPEGImages").toString(), "--out", masks.toString());
        if (rc != 0) throw new IllegalStateException("mine-masks failed (exit " + rc + ")");

        VocDataset voc = new VocDataset(data, false, msg -> System.err.println("demo: " + msg));
        List<VocDataset.Item> trainMasked = voc.withMasks("train", masks);
        List<Sample> trainViews = trainMasked.stream().map(VocDataset.Item::sample).toList();
        List<Sample> trainGt = voc.withLabels("train").stream().map(VocDataset.Item::sample).toList();
        List<VocDataset.Item> valItems = voc.withLabels("val");
        List<Sample> val = valItems.stream().map(VocDataset.Item::sample).toList();
        int classes = SyntheticScenes.CLASSES.size();

        MaskContrastConfig cfg = MaskContrastConfig.demo().withSeed(seed);
        if (epochs > 0) cfg = cfg.withEpochs(epochs);
        System.out.printf("demo: 3/4 training MaskContrast (%s backbone, width %d) on %d images with masks, %d epochs%n",
                cfg.backbone(), cfg.width(), trainViews.size(), cfg.epochs());
        MaskContrastTrainer trainer = new MaskContrastTrainer(cfg);
        int stepsPerEpoch = trainViews.size() / cfg.batch();
        try (ProgressBar pb = new ProgressBarBuilder().setTaskName("train").setInitialMax((long) stepsPerEpoch * cfg.epochs())
                .setStyle(ProgressBarStyle.ASCII).setConsumer(new ConsoleProgressBarConsumer(System.err)).showSpeed().build()) {
            trainer.train(trainViews, out.resolve("checkpoint.safetensors"), (e, s, n, loss, lr) -> {
                pb.step();
                pb.setExtraMessage(String.format("epoch %d loss %.3f lr %.4f", e + 1, loss, lr));
            });
        }

        System.out.println("demo: 4/4 evaluating (k-means over 5 seeds, linear probe) trained and random-init networks");
        Result trained = evaluate(trainer.query, trainGt, val, classes);
        Result random = evaluate(MaskContrastTrainer.create(cfg, seed + 1000), trainGt, val, classes);
        double seconds = (System.nanoTime() - start) / 1e9;

        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("kmeans_miou", trained.kmeans.miou());
        metrics.put("linear_miou", trained.linear.miou());
        metrics.put("baseline_kmeans_miou", random.kmeans.miou());
        metrics.put("baseline_linear_miou", random.linear.miou());
        metrics.put("seconds", seconds);
        metrics.put("backend", Backends.defaultBackend().name());
        metrics.put("prior", prior);
        metrics.put("train_images_with_masks", trainViews.size());
        metrics.put("val_images", val.size());
        metrics.put("epochs", cfg.epochs());
        String json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(metrics);
        AtomicFiles.write(out.resolve("metrics.json"), o -> o.write(json.getBytes()));

        var hist = trainer.history();
        double[] ep = new double[hist.size()], tot = new double[hist.size()], con = new double[hist.size()], sal = new double[hist.size()];
        for (int i = 0; i < hist.size(); i++) {
            ep[i] = hist.get(i).epoch() + 1;
            tot[i] = hist.get(i).loss();
            con[i] = hist.get(i).contrastive();
            sal[i] = hist.get(i).saliency();
        }
        DemoReport.lossCurve(out.resolve("loss.png"), ep, tot, con, sal);
        int rows = Math.min(8, val.size());
        List<byte[]> mined = new ArrayList<>();
        for (int i = 0; i < rows; i++) mined.add(minedMask(masks.resolve(valItems.get(i).id() + ".png")));
        DemoReport.grid(out.resolve("grid.png"), val.subList(0, rows), mined, trained.kmeansMaps.subList(0, rows), trained.linearMaps.subList(0, rows));
        DemoReport.html(out.resolve("report.html"), json, SyntheticScenes.CLASSES, trained.kmeans.perClassIou(), trained.linear.perClassIou(),
                random.kmeans.perClassIou(), random.linear.perClassIou(),
                String.format("%d generated %dx%d scenes (%d train with %s masks, %d val), %d epochs, %.0f s on backend %s.",
                        images, size, size, trainViews.size(), prior, val.size(), cfg.epochs(), seconds, Backends.defaultBackend().name()));
        System.out.printf("demo: k-means mIoU %.3f (random init %.3f), linear probe mIoU %.3f (random init %.3f), %.0f s; report %s%n",
                trained.kmeans.miou(), random.kmeans.miou(), trained.linear.miou(), random.linear.miou(), seconds, out.resolve("report.html"));
        return 0;
    }

    private record Result(Miou.Result kmeans, Miou.Result linear, List<int[]> kmeansMaps, List<int[]> linearMaps) {}

    private static Result evaluate(MaskContrastModel model, List<Sample> trainGt, List<Sample> val, int classes) {
        Evaluation.Prototypes protos = Evaluation.prototypes(model, val);
        double sum = 0;
        Miou.Result first = null;
        List<int[]> firstMaps = null;
        for (long s : KMEANS_SEEDS) {
            List<int[]> maps = Evaluation.kmeansPredictions(protos, classes - 1, s);
            Miou.Result r = Miou.evaluate(Evaluation.confusion(maps, val, classes), Miou.Matching.HUNGARIAN);
            sum += r.miou();
            if (first == null) {
                first = r;
                firstMaps = maps;
            }
        }
        Miou.Result kmeans = new Miou.Result(sum / KMEANS_SEEDS.length, first.pixelAccuracy(), first.perClassIou(), first.matching());
        List<int[]> matched = new ArrayList<>();
        for (int[] m : firstMaps) {
            int[] o = new int[m.length];
            for (int i = 0; i < m.length; i++) o[i] = kmeans.matching().getOrDefault(m[i], 0);
            matched.add(o);
        }
        List<Tensor> trainFeats = Evaluation.features(model, trainGt), valFeats = Evaluation.features(model, val);
        LinearProbe probe = Evaluation.trainProbe(trainFeats, trainGt, classes, 30, 8, 0.1, 7);
        List<int[]> linMaps = Evaluation.probePredictions(probe, valFeats, val);
        Miou.Result linear = Miou.evaluate(Evaluation.confusion(linMaps, val, classes), Miou.Matching.NONE);
        return new Result(kmeans, linear, matched, linMaps);
    }

    private static byte[] minedMask(Path png) {
        try {
            if (!Files.exists(png)) return null;
            var img = javax.imageio.ImageIO.read(png.toFile());
            int[] px = img.getRaster().getPixels(0, 0, img.getWidth(), img.getHeight(), (int[]) null);
            byte[] m = new byte[px.length];
            for (int i = 0; i < px.length; i++) m[i] = (byte) (px[i] > 127 ? 1 : 0);
            return m;
        } catch (java.io.IOException e) {
            return null;
        }
    }
}
