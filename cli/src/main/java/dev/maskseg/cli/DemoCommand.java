package dev.maskseg.cli;

import dev.maskseg.pipeline.demo.DemoOptions;
import dev.maskseg.pipeline.demo.DemoRunner;
import dev.maskseg.prior.MaskPrior;
import dev.maskseg.prior.Priors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "demo", description = {"The whole pipeline with no downloads: generate a VOC-layout dataset of procedural scenes, "
        + "mine saliency masks (MB+), then MaskContrast (train a small model; prototype k-means + Hungarian) or MaskDistill (cluster the "
        + "masks, paint pseudo maps, train a small segmenter with hard-pixel mining; Hungarian-matched labels), each also with a linear "
        + "probe, against the same network at random initialisation; writes DIR/report.html (pictures in DIR/report/), DIR/metrics.json and "
        + "DIR/model.safetensors, which 'predict --model' and 'eval' take (MaskContrast also DIR/probe.safetensors for 'predict --probe'). "
        + "MaskDistill with --crf-rounds N adds §3.7's CRF self-training rounds (each round's mIoU in the report and in metrics.json crf_rounds)."})
final class DemoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ConsoleOutput console = new ConsoleOutput();

    @Option(names = "--out", defaultValue = "demo-out", description = "Output folder (default: ${DEFAULT-VALUE}); one that holds a run needs --overwrite.")
    Path out;

    @Option(names = "--overwrite", description = "Replace the demo (or other files) in --out instead of refusing it.")
    boolean overwrite;

    @Option(names = "--images", defaultValue = "320", converter = Ranges.AtLeastTwo.class, description = "Generated images, 80%% train (default: ${DEFAULT-VALUE}).")
    int images;

    @Option(names = "--size", defaultValue = "96", converter = Ranges.ImageSide.class, description = "Image side in pixels (default: ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--epochs", converter = Ranges.AtLeastOne.class, description = "Training epochs (default: the demo config's).")
    Integer epochs;

    @Option(names = "--method", defaultValue = "maskcontrast", description = "maskcontrast | maskdistill (default: ${DEFAULT-VALUE}).")
    String method;

    @Option(names = "--prior", defaultValue = "mbplus", description = "Mask prior for the masks (default: ${DEFAULT-VALUE}).")
    String prior;

    @Option(names = "--config", description = "YAML with a maskcontrast: (or clustering: and maskdistill:) section, and data.workers/prefetch; default: the embedded configs/<method>/demo.yml.")
    Path config;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override a config key, e.g. --set maskcontrast.epochs=5.")
    List<String> sets = new ArrayList<>();

    @Option(names = "--crf-rounds", defaultValue = "0", description = "MaskDistill: CRF self-training rounds after the first training (§3.7; default: ${DEFAULT-VALUE}).")
    int crfRounds;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the dataset, the model and the sampling (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() throws Exception {
        if (!method.equals("maskcontrast") && !method.equals("maskdistill")) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--method must be maskcontrast or maskdistill, got '" + method + "'");
        }
        if (crfRounds < 0 || (crfRounds > 0 && !method.equals("maskdistill"))) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--crf-rounds takes N >= 0 and applies to --method maskdistill, got " + crfRounds);
        }
        MaskPrior p;
        try {
            p = Priors.get(prior, Main.pluginLoader());
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--prior: " + e.getMessage());
        }
        DemoOptions o = new DemoOptions(out, method, images, size, epochs == null ? 0 : epochs, p, DemoRunner.config(method, config, sets),
                seed, Runtime.getRuntime().availableProcessors(), crfRounds, overwrite);
        DemoRunner.run(o, console.listener("demo"));
        return 0;
    }
}
