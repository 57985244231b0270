package dev.maskseg.cli;

import dev.maskseg.engine.io.AtomicFiles;
import dev.maskseg.prior.MaskPrior;
import dev.maskseg.prior.PriorContext;
import dev.maskseg.prior.PriorParams;
import dev.maskseg.prior.PriorResult;
import dev.maskseg.prior.Priors;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

@Command(name = "mine-masks", description = {"Run a mask prior over a folder of images (see 'maskseg plugins' for priors and parameters).",
        "Writes <stem>.png (0/255) for one mask, <stem>_<k>.png for several, and masks.json with the parameters, scores and "
                + "areas. Images already done are skipped, so an interrupted run resumes; an unreadable image is reported and skipped."})
final class MineMasksCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--prior", required = true, description = "Prior name, e.g. mbplus, rbd, dino-attention, lost, maskdistill, slic, felzenszwalb.")
    String priorName;

    @Option(names = "--images", required = true, description = "Folder of PNG/JPEG images.")
    Path images;

    @Option(names = "--out", required = true, description = "Output folder.")
    Path out;

    @Option(names = "--param", paramLabel = "KEY=VALUE", description = "A prior parameter (repeatable).")
    List<String> params = new ArrayList<>();

    @Option(names = "--threads", description = "Images processed in parallel (default: available cores).")
    int threads = Runtime.getRuntime().availableProcessors();

    @Override
    public Integer call() throws Exception {
        MaskPrior prior;
        PriorParams resolved;
        try {
            prior = Priors.get(priorName, Main.pluginLoader());
            resolved = PriorParams.resolve(prior, PriorParams.parse(params));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        if (threads < 1) throw new CommandLine.ParameterException(spec.commandLine(), "--threads must be >= 1, got " + threads);
        List<Path> files = ImageFiles.list(images);
        Files.createDirectories(out);
        MasksIndex index = MasksIndex.open(out, prior.name(), resolved.asMap());
        PriorContext context = new PriorContext();
        AtomicInteger mined = new AtomicInteger(), masks = new AtomicInteger(), dropped = new AtomicInteger(), corrupt = new AtomicInteger(), resumed = new AtomicInteger();
        long start = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try (ProgressBar pb = new ProgressBarBuilder().setTaskName("mine-masks " + prior.name()).setInitialMax(files.size())
                .setStyle(ProgressBarStyle.ASCII).setConsumer(new ConsoleProgressBarConsumer(System.err)).build()) {
            List<Future<?>> jobs = new ArrayList<>();
            for (Path f : files) {
                jobs.add(pool.submit(() -> {
                    String stem = ImageFiles.stem(f);
                    if (index.done(stem, out)) {
                        resumed.incrementAndGet();
                        pb.step();
                        return null;
                    }
                    BufferedImage img = read(f);
                    if (img == null) {
                        corrupt.incrementAndGet();
                        index.record(stem, new MasksIndex.Entry("error", List.of(), "unreadable image"));
                        pb.step();
                        return null;
                    }
                    PriorResult r = prior.run(img, resolved, context);
                    List<Map<String, Object>> written = write(stem, r);
                    index.record(stem, new MasksIndex.Entry(written.isEmpty() ? "dropped" : "ok", written, null));
                    (written.isEmpty() ? dropped : mined).incrementAndGet();
                    masks.addAndGet(written.size());
                    pb.step();
                    return null;
                }));
            }
            for (Future<?> j : jobs) {
                try {
                    j.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    throw e.getCause() instanceof Exception ex ? ex : e;
                }
            }
        } finally {
            pool.shutdownNow();
            index.save();
        }
        double secs = (System.nanoTime() - start) / 1e9;
        int ran = mined.get() + dropped.get();
        System.out.printf("mine-masks %s: %d images with %d masks, %d dropped (no mask), %d skipped (unreadable), %d already done; "
                        + "%.2f images/s on %d threads; %s%n", prior.name(), mined.get(), masks.get(), dropped.get(), corrupt.get(),
                resumed.get(), ran / Math.max(secs, 1e-9), threads, out.resolve("masks.json"));
        return 0;
    }

    private static BufferedImage read(Path f) {
        try {
            BufferedImage img = ImageIO.read(f.toFile());
            if (img == null) System.err.println("mine-masks: " + f + ": not a readable PNG/JPEG; skipped");
            return img;
        } catch (IOException | RuntimeException e) {
            System.err.println("mine-masks: " + f + ": " + e.getMessage() + "; skipped");
            return null;
        }
    }

    private List<Map<String, Object>> write(String stem, PriorResult r) throws IOException {
        List<Map<String, Object>> out = new ArrayList<>();
        List<PriorResult.Mask> ms = r.masks();
        for (int k = 0; k < ms.size(); k++) {
            PriorResult.Mask m = ms.get(k);
            String name = ms.size() == 1 ? stem + ".png" : stem + "_" + k + ".png";
            BufferedImage png = new BufferedImage(m.width(), m.height(), BufferedImage.TYPE_BYTE_GRAY);
            byte[] px = ((java.awt.image.DataBufferByte) png.getRaster().getDataBuffer()).getData();
            for (int i = 0; i < px.length; i++) px[i] = (byte) (m.pixels()[i] != 0 ? 255 : 0);
            AtomicFiles.write(this.out.resolve(name), o -> ImageIO.write(png, "png", o));
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("file", name);
            e.put("score", m.score());
            e.put("area", m.area());
            out.add(e);
        }
        return out;
    }
}
