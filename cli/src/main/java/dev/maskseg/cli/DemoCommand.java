package dev.maskseg.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.backend.Backends;
import dev.maskseg.engine.io.AtomicFiles;
import dev.maskseg.pipeline.config.DataConfig;
import dev.maskseg.pipeline.config.RunConfig;
import dev.maskseg.pipeline.data.ImageSet;
import dev.maskseg.pipeline.data.Sample;
import dev.maskseg.pipeline.data.SyntheticScenes;
import dev.maskseg.pipeline.data.VocDataset;
import dev.maskseg.pipeline.eval.Miou;
import dev.maskseg.pipeline.maskcontrast.Evaluation;
import dev.maskseg.pipeline.maskcontrast.MaskContrastConfig;
import dev.maskseg.pipeline.maskcontrast.MaskContrastTrainer;
import dev.maskseg.zoo.LinearProbe;
import dev.maskseg.zoo.maskcontrast.MaskContrastModel;
import me.tongfei.progressbar.ProgressBar;
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

@Command(name = "demo", description = {"The whole pipeline with no downloads: generate a VOC-layout dataset of procedural scenes, "
        + "mine saliency masks (MB+), then MaskContrast (train a small model; prototype k-means + Hungarian) or MaskDistill (cluster the "
        + "masks, paint pseudo maps, train a small segmenter with hard-pixel mining; Hungarian-matched labels), each also with a linear "
        + "probe, against the same network at random initialisation; writes DIR/report.html and DIR/metrics.json."})
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

    @Option(names = "--method", defaultValue = "maskcontrast", description = "maskcontrast | maskdistill (default: ${DEFAULT-VALUE}).")
    String method;

    @Option(names = "--prior", defaultValue = "mbplus", description = "Mask prior for the masks (default: ${DEFAULT-VALUE}).")
    String prior;

    @Option(names = "--config", description = "YAML with a maskcontrast: (or clustering: and maskdistill:) section, and data.workers/prefetch; default: the embedded configs/<method>/demo.yml.")
    Path config;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override a config key, e.g. --set maskcontrast.epochs=5.")
    List<String> sets = new ArrayList<>();

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the dataset, the model and the sampling (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() throws Exception {
        if (!method.equals("maskcontrast") && !method.equals("maskdistill")) {
            throw new picocli.CommandLine.ParameterException(new CommandLine(this), "--method must be maskcontrast or maskdistill, got '" + method + "'");
        }
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
        List<Sample> trainViews = List.copyOf(voc.withMasks("train", masks)); // small: decode once, keep in memory
        List<Sample> trainGt = List.copyOf(voc.withLabels("train"));
        ImageSet valSet = voc.withLabels("val");
        List<Sample> val = List.copyOf(valSet);
        int classes = SyntheticScenes.CLASSES.size();

        DemoOutcome o = method.equals("maskdistill")
                ? MaskDistillDemo.run(this, trainViews, trainGt, val, classes)
                : maskContrast(trainViews, trainGt, val, classes);
        double seconds = (System.nanoTime() - start) / 1e9;

        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("kmeans_miou", o.trained().kmeans().miou());
        metrics.put("linear_miou", o.trained().linear().miou());
        metrics.put("baseline_kmeans_miou", o.random().kmeans().miou());
        metrics.put("baseline_linear_miou", o.random().linear().miou());
        metrics.put("seconds", seconds);
        metrics.put("method", method);
        metrics.put("backend", Backends.defaultBackend().name());
        metrics.put("prior", prior);
        metrics.put("train_images_with_masks", trainViews.size());
        metrics.put("val_images", val.size());
        metrics.putAll(o.extra());
        String json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(metrics);
        AtomicFiles.write(out.resolve("metrics.json"), f -> f.write(json.getBytes()));

        DemoReport.lossCurve(out.resolve("loss.png"), o.title() + " training loss", o.epochs(), o.losses());
        int rows = Math.min(8, val.size());
        List<byte[]> mined = new ArrayList<>();
        for (int i = 0; i < rows; i++) mined.add(minedMask(masks.resolve(valSet.id(i) + ".png")));
        DemoReport.grid(out.resolve("grid.png"), val.subList(0, rows), mined, o.trained().clusterMaps().subList(0, rows), o.trained().linearMaps().subList(0, rows));
        DemoReport.html(out.resolve("report.html"), o.title(), o.clusterColumn(), json, SyntheticScenes.CLASSES, o.trained().kmeans().perClassIou(),
                o.trained().linear().perClassIou(), o.random().kmeans().perClassIou(), o.random().linear().perClassIou(),
                String.format("%d generated %dx%d scenes (%d train with %s masks, %d val), %.0f s on backend %s. %s "
                                + "Baseline: the same network at random initialisation, its BatchNorm statistics re-estimated on the train images.",
                        images, size, size, trainViews.size(), prior, val.size(), seconds, Backends.defaultBackend().name(), o.notes()));
        System.out.printf("demo: %s mIoU %.3f (random init %.3f), linear probe mIoU %.3f (random init %.3f), %.0f s; report %s%n", o.clusterColumn(),
                o.trained().kmeans().miou(), o.random().kmeans().miou(), o.trained().linear().miou(), o.random().linear().miou(), seconds, out.resolve("report.html"));
        return 0;
    }

    RunConfig runConfig() throws java.io.IOException {
        String embedded = "configs/" + method + "/demo.yml";
        return config != null ? RunConfig.load(config, sets) : RunConfig.parse("embedded " + embedded, embeddedConfig(embedded), sets);
    }

    private DemoOutcome maskContrast(List<Sample> trainViews, List<Sample> trainGt, List<Sample> val, int classes) throws Exception {
        RunConfig run = runConfig();
        MaskContrastConfig cfg = run.section("maskcontrast", MaskContrastConfig.demo(), MaskContrastConfig.class).withSeed(seed);
        DataConfig loader = run.section("data", DataConfig.defaults(), DataConfig.class);
        if (epochs > 0) cfg = cfg.withEpochs(epochs);
        System.out.printf("demo: 3/4 training MaskContrast (%s backbone, width %d) on %d images with masks, %d epochs%n",
                cfg.backbone(), cfg.width(), trainViews.size(), cfg.epochs());
        MaskContrastTrainer trainer = new MaskContrastTrainer(cfg).loader(loader.workers(), loader.prefetch());
        int stepsPerEpoch = trainViews.size() / cfg.batch();
        try (ProgressBar pb = Progress.bar("train", (long) stepsPerEpoch * cfg.epochs(), 0)) {
            trainer.train(trainViews, out.resolve("checkpoint.safetensors"), (e, s, n, loss, lr) -> {
                pb.step();
                pb.setExtraMessage(String.format("epoch %d loss %.3f lr %.4f", e + 1, loss, lr));
            });
        }
        System.out.println("demo: 4/4 evaluating (k-means over 5 seeds, linear probe) trained and random-init networks");
        DemoOutcome.Scores trained = evaluate(trainer.query, trainGt, val, classes);
        MaskContrastModel randomInit = MaskContrastTrainer.create(cfg, seed + 1000);
        Evaluation.recalibrateBatchNorm(randomInit, trainGt, 16, 2);
        DemoOutcome.Scores random = evaluate(randomInit, trainGt, val, classes);

        var hist = trainer.history();
        double[] ep = new double[hist.size()], tot = new double[hist.size()], con = new double[hist.size()], sal = new double[hist.size()];
        for (int i = 0; i < hist.size(); i++) {
            ep[i] = hist.get(i).epoch() + 1;
            tot[i] = hist.get(i).loss();
            con[i] = hist.get(i).contrastive();
            sal[i] = hist.get(i).saliency();
        }
        Map<String, double[]> series = new LinkedHashMap<>();
        series.put("total", tot);
        series.put("contrastive", con);
        series.put("saliency BCE", sal);
        return new DemoOutcome("MaskContrast", "k-means", trained, random, ep, series, Map.of("epochs", cfg.epochs()),
                String.format("%d epochs; k-means on the saliency-weighted prototypes (PCA-whitened, 5 seeds).", cfg.epochs()));
    }

    static String embeddedConfig(String path) throws java.io.IOException {
        try (var in = DemoCommand.class.getResourceAsStream("/" + path)) {
            if (in == null) throw new java.io.IOException("the embedded " + path + " is missing from the jar");
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    private static DemoOutcome.Scores evaluate(MaskContrastModel model, List<Sample> trainGt, List<Sample> val, int classes) {
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
        return DemoOutcome.Scores.withProbe(kmeans, matched, trainFeats, valFeats, trainGt, val, classes);
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
