package dev.maskseg.spark;

import dev.maskseg.pipeline.RunFolder;
import dev.maskseg.pipeline.batch.BatchOptions;
import dev.maskseg.pipeline.config.DataConfig;
import dev.maskseg.pipeline.config.RunConfig;
import dev.maskseg.pipeline.data.SyntheticScenes;
import dev.maskseg.pipeline.eval.Miou;
import dev.maskseg.pipeline.eval.MiouFiles;
import dev.maskseg.pipeline.maskdistill.ClusteringConfig;
import dev.maskseg.pipeline.maskdistill.MaskDistillConfig;
import dev.maskseg.pipeline.maskdistill.PseudoLabelStage;
import dev.maskseg.pipeline.mining.MaskMiningStage;
import dev.maskseg.prior.MaskPrior;
import dev.maskseg.prior.PriorParams;
import dev.maskseg.prior.Priors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * The stages of {@code maskseg spark}: each takes its single-machine command's options (same names, same meaning) plus
 * {@link SparkOptions}, and parses them only; the jobs do the work. Paths may be local or any Hadoop-compatible URI
 * (hdfs://, s3a://) unless a stage says otherwise.
 */
final class StageCommands {
    private StageCommands() {}

    /** What every stage shares: its Spark options, the --print-submit line, and starting the job. */
    abstract static class Stage implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        SparkOptions spark = new SparkOptions();

        /** The stage's own work, once the session runs. */
        abstract void run(SparkJob job) throws Exception;

        /** Usage errors found before Spark starts (throws {@link #usage}). */
        void check() throws Exception {}

        @Override
        public final Integer call() throws Exception {
            check();
            List<String> words = new ArrayList<>(Arrays.asList(spec.qualifiedName().split(" ")));
            words.subList(0, 2).clear(); // "maskseg spark"
            if (spark.printSubmit) {
                System.out.println(SubmitLine.of(words, spec.commandLine().getParseResult().originalArgs(), spark, SparkJob.pluginJars(spark)));
                return 0;
            }
            SparkJob job;
            try {
                job = SparkJob.start(spec.qualifiedName(), spark);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
            }
            try (job) {
                run(job);
            }
            return 0;
        }

        CommandLine.ParameterException usage(String message) { return new CommandLine.ParameterException(spec.commandLine(), message); }
    }

    /** The batch flags of the single-machine commands (docs/design.md §4b): bad files, and an output folder that holds a run. */
    static final class BatchFlags {
        @Option(names = "--strict", description = "Stop at the first file that cannot be processed instead of reporting it, recording it in OUT/run.json and going on.")
        boolean strict;

        @Option(names = "--resume", description = "Continue the finished run in --out (outputs already there are kept; new and failed images are done).")
        boolean resume;

        @Option(names = "--overwrite", description = "Replace the run (or other files) in --out instead of refusing it.")
        boolean overwrite;

        BatchOptions options(Stage stage) {
            try {
                return new BatchOptions(strict, RunFolder.Mode.of(resume, overwrite));
            } catch (IllegalArgumentException e) {
                throw stage.usage(e.getMessage());
            }
        }
    }

    /** The image inputs of the per-image stages. */
    static final class ImageInputs {
        @Option(names = "--images", required = true, description = "Folder of PNG/JPEG images (local path or Hadoop URI).")
        String images;

        @Option(names = "--split", paramLabel = "FILE", description = "Only the images whose stems FILE lists, one per line (e.g. "
                + "ImageSets/Segmentation/val.txt), or those of a COCO annotations JSON (its images' file names).")
        String split;
    }

    @Command(name = "mine-masks", description = {"maskseg mine-masks as a Spark job: <stem>.png (0/255) or <stem>_<k>.png and masks.json, "
            + "byte for byte what 'maskseg mine-masks' writes. A continued run skips the images already done; an unreadable image is one error entry.",
            "A weights= parameter's file is broadcast to the executors once."})
    static final class MineMasks extends Stage {
        @Option(names = "--prior", required = true, description = "Prior name, e.g. mbplus, rbd, dino-attention, lost, maskdistill, slic, felzenszwalb.")
        String priorName;

        @Mixin
        ImageInputs in = new ImageInputs();

        @Option(names = "--out", required = true, description = "Output folder (local path or Hadoop URI).")
        String out;

        @Option(names = "--param", paramLabel = "KEY=VALUE", description = "A prior parameter (repeatable).")
        List<String> params = new ArrayList<>();

        @Option(names = "--threads", description = "Not used on Spark: tasks run on the executors' cores (--master local[N], spark.executor.cores).")
        Integer threads;

        @Mixin
        BatchFlags batch = new BatchFlags();

        @Override
        void check() throws Exception {
            batch.options(this);
            if (threads != null) throw usage("--threads: on Spark the images run on the executors' cores (--master local[N], --conf spark.executor.cores=N)");
            try {
                MaskPrior prior = Priors.get(priorName, Priors.pluginLoader(Priors.pluginDir(spark.plugins)));
                PriorParams.resolve(prior, PriorParams.parse(params));
            } catch (IllegalArgumentException e) {
                throw usage(e.getMessage());
            }
        }

        @Override
        void run(SparkJob job) throws Exception {
            Counts.Backends backends = new Counts.Backends();
            MaskMiningStage.Summary s = MineMasksJob.run(job, priorName, PriorParams.parse(params), in.images, in.split, out, batch.options(this), backends);
            System.out.println("spark " + s.line().replace(" threads;", " cores;"));
            job.console.info(backends.line("mine-masks"));
        }
    }

    @Command(name = "features", description = {"maskseg features as a Spark job: per image <stem>.safetensors with cls, patches, attn_last and grid. "
            + "The weights are broadcast to the executors once; a continued run skips existing outputs."})
    static final class Features extends Stage {
        @Option(names = "--model", defaultValue = "vit_small_patch16", description = "A ViT: vit_small_patch16, vit_small_patch8, vit_base_patch16.")
        String model;

        @Option(names = "--weights", required = true, description = "ViT weights (.safetensors or .pth; local path or Hadoop URI).")
        String weights;

        @Mixin
        ImageInputs in = new ImageInputs();

        @Option(names = "--out", required = true, description = "Output folder (local path or Hadoop URI).")
        String out;

        @Option(names = "--resize", defaultValue = "0", description = "Resize the shorter side to this first (0 = full resolution).")
        int resize;

        @Mixin
        BatchFlags batch = new BatchFlags();

        @Override
        void check() {
            if (resize < 0 || resize > SyntheticScenes.MAX_SIZE) throw usage("--resize must be 0 (keep) or a side of at most " + SyntheticScenes.MAX_SIZE + " pixels, got " + resize);
            batch.options(this);
        }

        @Override
        void run(SparkJob job) throws Exception {
            Counts c = FeaturesJob.run(job, model, weights, in.images, in.split, out, resize, batch.options(this));
            System.out.println(c.line("features", job.cores(), out));
            job.console.info(c.backends.line("features"));
        }
    }

    @Command(name = "predict", description = {"maskseg predict as a Spark job: <stem>.png (labels) and overlay/<stem>.png per image. "
            + "The model (and probe) are broadcast to the executors once."})
    static final class Predict extends Stage {
        @Option(names = {"--model", "--checkpoint"}, required = true, description = "model.safetensors of 'train maskcontrast' or 'train maskdistill'.")
        String model;

        @Option(names = "--probe", description = "Linear probe weights (safetensors with weight, bias).")
        String probe;

        @Option(names = "--crf", description = "Refine class predictions (MaskDistill labels, probe classes) with the dense CRF (§1.5).")
        boolean crf;

        @Option(names = "--size", defaultValue = "0", description = "Working size SxS of the network (0: each image's own; official 512).")
        int size;

        @Mixin
        ImageInputs in = new ImageInputs();

        @Option(names = "--out", required = true, description = "Output folder (local path or Hadoop URI).")
        String out;

        @Mixin
        BatchFlags batch = new BatchFlags();

        @Override
        void check() {
            if (size < 0 || size > SyntheticScenes.MAX_SIZE) throw usage("--size must be 0 (each image's own) or a side of at most " + SyntheticScenes.MAX_SIZE + " pixels, got " + size);
            batch.options(this);
        }

        @Override
        void run(SparkJob job) throws Exception {
            Counts c = PredictJob.run(job, model, probe, crf, size, in.images, in.split, out, batch.options(this));
            System.out.println(c.line("predict", job.cores(), out));
            job.console.info(c.backends.line("predict"));
        }
    }

    @Command(name = "pseudo-maps", description = {"The pseudo maps of 'train maskdistill --pseudo-only' as a Spark job: every candidate mask of "
            + "data.masks clustered by the CLS token of the clustering ViT over its box (feature pass in the executors, k-means and the "
            + "clusters' naming on the driver), then painted with the confident-mask rule into OUT/pseudo/<id>.png and "
            + "OUT/pseudo/clusters.json. Train on them with 'maskseg train maskdistill --labels OUT/pseudo'.",
            "data.root, data.masks and --out must be paths every executor sees (a shared file system)."})
    static final class PseudoMaps extends Stage {
        @Option(names = "--config", description = "YAML file with data:, clustering: and maskdistill: sections (configs/maskdistill/*.yml; val: is ignored).")
        Path config;

        @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override a key, e.g. --set data.root=DIR.")
        List<String> sets = new ArrayList<>();

        @Option(names = "--out", required = true, description = "Run folder (the maps go to OUT/pseudo).")
        Path out;

        @Option(names = "--strict", description = "Stop at the first bad input file instead of skipping it.")
        boolean strict;

        @Override
        void run(SparkJob job) throws Exception {
            RunConfig run = RunConfig.load(config, sets);
            for (String s : run.sections()) {
                if (!List.of("data", "clustering", "maskdistill", "val").contains(s)) throw usage("config " + config + ": unknown section " + s + " (data, clustering, maskdistill, val)");
            }
            DataConfig data = run.section("data", DataConfig.defaults(), DataConfig.class);
            if (data.root().isEmpty() || data.masks().isEmpty()) throw usage("config: data.root and data.masks are required");
            ClusteringConfig clustering = run.section("clustering", ClusteringConfig.official(), ClusteringConfig.class);
            MaskDistillConfig cfg = run.section("maskdistill", MaskDistillConfig.official(), MaskDistillConfig.class);
            if (cfg.usesDetector()) {
                System.err.println("spark pseudo-maps: paints the prior's own candidates (as maskdistill.detector: prior); the Mask R-CNN stage "
                        + "(maskdistill.detector: maskrcnn) runs on one machine in 'train maskdistill'");
            }
            PseudoLabelStage.Summary s = PseudoMapsJob.run(job, data, clustering, cfg, out, strict);
            System.out.printf("spark pseudo-maps: %d masks of %d images in %d clusters (%s CLS, seed %d), pseudo maps with tau %.2f; %d images skipped; %s%n",
                    s.masks(), s.images(), clustering.k(cfg.clusters()), clustering.vit(), clustering.seed(), cfg.tau(), s.skipped(), out.resolve("pseudo"));
            if (s.naming().named()) {
                System.out.printf("spark pseudo-maps: clusters named by %s boxes (%s matching, %d masks with a target): %s; maps hold classes 1..%d%n",
                        s.naming().boxes(), s.naming().method(), s.naming().targeted(), s.naming().matching(), cfg.clusters());
            }
        }
    }

    @Command(name = "eval", description = "Evaluate predictions.", subcommands = {Eval.MiouStage.class})
    static final class Eval {
        @Command(name = "miou", description = {"maskseg eval miou as a Spark job: one confusion table per partition, added up, then the same "
                + "matching and JSON as 'maskseg eval miou' ({\"miou\", \"pixel_accuracy\", \"per_class_iou\", \"matching\"}, and the coverage: "
                + "\"matched\", \"missing\", \"extra\", \"failed\"). Every ground-truth map (or every one --split lists) must have a usable "
                + "prediction unless --allow-missing."})
        static final class MiouStage extends Stage {
            @Option(names = "--pred", required = true, description = "Folder of predicted label maps.")
            String pred;

            @Option(names = "--gt", required = true, description = "Folder of ground-truth label maps.")
            String gt;

            @Option(names = "--num-classes", required = true, description = "Number of ground-truth classes.")
            int classes;

            @Option(names = "--matching", defaultValue = "hungarian", description = "hungarian | majority | majority-count | none (default: ${DEFAULT-VALUE}).")
            String matching;

            @Option(names = "--ignore", defaultValue = "255", description = "Ground-truth value to ignore (default: ${DEFAULT-VALUE}).")
            int ignore;

            @Option(names = "--json", required = true, description = "Output JSON file.")
            String json;

            @Option(names = "--split", paramLabel = "FILE", description = "Only the ground-truth maps whose stems FILE lists (e.g. ImageSets/Segmentation/val.txt).")
            String split;

            @Option(names = "--allow-missing", description = "Score the matched pairs even when some ground-truth maps have no usable prediction.")
            boolean allowMissing;

            @Override
            void check() {
                if (classes < 1 || classes > 256) throw usage("--num-classes must be in [1, 256] (labels are 8-bit), got " + classes);
                if (ignore < 0 || ignore > 255) throw usage("--ignore must be an 8-bit label in [0, 255], got " + ignore);
                matching();
            }

            private Miou.Matching matching() {
                try {
                    return Miou.Matching.parse(matching);
                } catch (IllegalArgumentException e) {
                    throw usage("--" + e.getMessage());
                }
            }

            @Override
            void run(SparkJob job) throws Exception {
                MiouFiles.Outcome o = EvalMiouJob.run(job, pred, gt, split, classes, matching(), ignore, allowMissing, json);
                Miou.Result r = o.result();
                System.out.printf("mIoU %.4f, pixel accuracy %.4f (%s matching) over %d images (%d missing, %d extra, %d failed); %s%n", r.miou(),
                        r.pixelAccuracy(), matching, o.matched(), o.missing().size(), o.extra().size(), o.failed().size(), json);
            }
        }
    }
}
