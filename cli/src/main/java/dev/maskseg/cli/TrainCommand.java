package dev.maskseg.cli;

import dev.maskseg.engine.backend.Backends;
import dev.maskseg.pipeline.config.DataConfig;
import dev.maskseg.pipeline.config.RunConfig;
import dev.maskseg.pipeline.data.ImageSet;
import dev.maskseg.pipeline.data.VocDataset;
import dev.maskseg.pipeline.maskcontrast.MaskContrastConfig;
import dev.maskseg.pipeline.maskcontrast.MaskContrastTrainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "train", description = "Train a method from a YAML configuration (see configs/).",
        subcommands = {TrainCommand.MaskContrast.class, TrainMaskDistillCommand.class})
final class TrainCommand {
    @Command(name = "maskcontrast", description = {"MaskContrast pre-training (methods.md §2.4-2.6): query and key encoders, prototypes, queue, "
            + "saliency BCE. Writes OUT/checkpoint.safetensors after every epoch (atomically; --resume continues from it to the same "
            + "weights as an uninterrupted run), OUT/model.safetensors (the query encoder, MaskContrast names), OUT/config.yml, "
            + "OUT/metrics.csv and OUT/metrics.json."})
    static final class MaskContrast implements Callable<Integer> {
        @Mixin
        TrainOptions o = new TrainOptions();

        @Override
        public Integer call() throws Exception {
            RunConfig run = o.load(List.of("data", "maskcontrast"));
            DataConfig data = TrainOptions.data(run);
            MaskContrastConfig cfg = run.section("maskcontrast", MaskContrastConfig.official(), MaskContrastConfig.class);
            Map<String, Object> effective = new LinkedHashMap<>();
            effective.put("data", data);
            effective.put("maskcontrast", cfg);
            o.writeEffective(effective);
            Path out = o.out;

            VocDataset voc = new VocDataset(Path.of(data.root()), o.strict, msg -> System.err.println("train: " + msg));
            ImageSet images = voc.withMasks(data.split(), Path.of(data.masks()));
            System.out.printf("train maskcontrast: %d images with masks from %s, backend %s on %s%n", images.size(), data.masks(),
                    Backends.defaultBackend().name(), Backends.defaultBackend().device());
            MaskContrastTrainer trainer = new MaskContrastTrainer(cfg).loader(data.workers(), data.prefetch());
            Path checkpoint = out.resolve("checkpoint.safetensors");
            if (o.resume) {
                if (!Files.exists(checkpoint)) throw new IllegalArgumentException("--resume: no checkpoint " + checkpoint);
                trainer.resume(checkpoint);
                System.out.printf("train maskcontrast: resumed after epoch %d of %d%n", trainer.epoch(), cfg.epochs());
            }
            RunMetrics metrics = new RunMetrics(out, "maskcontrast", List.of("loss", "contrastive", "saliency"),
                    trainer.history().stream().map(e -> new double[]{e.loss(), e.contrastive(), e.saliency()}).toList());
            int steps = images.size() / cfg.batch();
            try (var bar = Progress.bar("train", (long) steps * cfg.epochs(), (long) steps * trainer.epoch())) {
                trainer.train(images, checkpoint, new MaskContrastTrainer.Listener() {
                    @Override
                    public void step(int e, int s, int n, double loss, double lr) {
                        bar.step();
                        bar.setExtraMessage(String.format("epoch %d/%d loss %.3f lr %.5f", e + 1, cfg.epochs(), loss, lr));
                    }

                    @Override
                    public void epochEnd(MaskContrastTrainer.EpochLoss loss, double lr, double seconds) throws IOException {
                        metrics.epochEnd(new double[]{loss.loss(), loss.contrastive(), loss.saliency()}, lr, seconds, steps * cfg.batch());
                    }
                });
            }
            metrics.finish();
            trainer.saveModel(out.resolve("model.safetensors"));
            System.out.printf("train maskcontrast: %d epochs done; %s, %s%n", cfg.epochs(), out.resolve("model.safetensors"), out.resolve("metrics.csv"));
            return 0;
        }
    }
}
