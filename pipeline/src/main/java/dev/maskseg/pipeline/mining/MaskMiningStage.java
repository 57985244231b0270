package dev.maskseg.pipeline.mining;

import dev.maskseg.pipeline.StageListener;
import dev.maskseg.pipeline.data.Folder;
import dev.maskseg.pipeline.data.ImageFiles;
import dev.maskseg.pipeline.data.MasksIndex;
import dev.maskseg.prior.MaskPrior;
import dev.maskseg.prior.PriorContext;
import dev.maskseg.prior.PriorParams;
import dev.maskseg.prior.PriorResult;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Mask mining: a prior run over images, each image's masks written as {@code <stem>.png} (0/255) for one mask or
 * {@code <stem>_<k>.png} for several, and {@link MasksIndex masks.json} with the prior, its parameters and each
 * image's scores and areas. Every file is written atomically; images already in the index (and whose files are
 * there) are skipped, so an interrupted run resumes; an unreadable image is reported, recorded as an error and retried
 * by the next run. {@link #processImage} is the work of one image, for callers that distribute images themselves
 * (a Spark task, which passes the file's bytes and a {@link Folder} of any file system), who then
 * {@link MasksIndex#record record} the entries in one index.
 */
public final class MaskMiningStage {
    /** What a run did; {@link #line()} is the one-line summary {@code maskseg mine-masks} prints. */
    public record Summary(String prior, int mined, int masks, int dropped, int unreadable, int alreadyDone, double seconds, int threads, Path index) {
        public String line() {
            return String.format("mine-masks %s: %d images with %d masks, %d dropped (no mask), %d skipped (unreadable), %d already done; "
                            + "%.2f images/s on %d threads; %s", prior, mined, masks, dropped, unreadable, alreadyDone,
                    (mined + dropped) / Math.max(seconds, 1e-9), threads, index);
        }
    }

    private final MaskPrior prior;
    private final PriorParams params;
    private final PriorContext context = new PriorContext();

    /** {@code params} resolved against the prior ({@link PriorParams#resolve}). */
    public MaskMiningStage(MaskPrior prior, PriorParams params) {
        this.prior = prior;
        this.params = params;
    }

    /** Mines every image not yet done into {@code outDir}, {@code threads} images at a time. */
    public Summary run(List<Path> images, Path outDir, int threads, StageListener listener) throws Exception {
        if (threads < 1) throw new IllegalArgumentException("mine-masks: threads must be >= 1, got " + threads);
        Files.createDirectories(outDir);
        MasksIndex index = MasksIndex.openForWriting(outDir, prior.name(), params.asMap());
        AtomicInteger mined = new AtomicInteger(), masks = new AtomicInteger(), dropped = new AtomicInteger(), unreadable = new AtomicInteger(),
                resumed = new AtomicInteger();
        long start = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        listener.start("mine-masks " + prior.name(), images.size(), 0, "images");
        try {
            List<Future<?>> jobs = new ArrayList<>();
            for (Path f : images) {
                jobs.add(pool.submit(() -> {
                    String stem = ImageFiles.stem(f);
                    if (index.done(stem)) {
                        resumed.incrementAndGet();
                    } else {
                        MasksIndex.Entry e = processImage(f, outDir, listener);
                        index.record(stem, e);
                        switch (e.status()) {
                            case MasksIndex.Entry.ERROR -> unreadable.incrementAndGet();
                            case MasksIndex.Entry.DROPPED -> dropped.incrementAndGet();
                            default -> mined.incrementAndGet();
                        }
                        masks.addAndGet(e.masks().size());
                    }
                    listener.advance(1, null);
                    return null;
                }));
            }
            for (Future<?> j : jobs) {
                try {
                    j.get();
                } catch (ExecutionException e) {
                    throw e.getCause() instanceof Exception ex ? ex : e;
                }
            }
        } finally {
            pool.shutdownNow();
            listener.end();
            index.save();
        }
        return new Summary(prior.name(), mined.get(), masks.get(), dropped.get(), unreadable.get(), resumed.get(), (System.nanoTime() - start) / 1e9,
                threads, outDir.resolve(MasksIndex.FILE));
    }

    /**
     * One image: the prior's masks written atomically into {@code outDir}, named by the image's stem, and the image's
     * index entry; an unreadable image is reported to {@code listener} and gives an error entry. Thread-safe.
     */
    public MasksIndex.Entry processImage(Path image, Path outDir, StageListener listener) throws Exception {
        byte[] encoded;
        try {
            encoded = Files.readAllBytes(image);
        } catch (IOException e) {
            listener.problem(image + ": " + e.getMessage() + "; skipped");
            return MasksIndex.Entry.error(UNREADABLE);
        }
        return processImage(ImageFiles.stem(image), image.toString(), encoded, Folder.local(outDir), listener);
    }

    /**
     * One image given as its file's bytes ({@code source} names the file in messages), its masks written into
     * {@code out}: the work of {@link #processImage(Path, Path, StageListener)} for callers that read the files
     * themselves (a Spark task, from any file system). Thread-safe.
     */
    public MasksIndex.Entry processImage(String stem, String source, byte[] encoded, Folder out, StageListener listener) throws Exception {
        BufferedImage img = decode(source, encoded, listener);
        if (img == null) return MasksIndex.Entry.error(UNREADABLE);
        return MasksIndex.Entry.of(write(stem, prior.run(img, params, context), out));
    }

    private static final String UNREADABLE = "unreadable image";

    private static BufferedImage decode(String source, byte[] encoded, StageListener listener) {
        try {
            BufferedImage img = ImageFiles.decode(encoded);
            if (img == null) listener.problem(source + ": not a readable PNG/JPEG; skipped");
            return img;
        } catch (IOException | RuntimeException e) {
            listener.problem(source + ": " + e.getMessage() + "; skipped");
            return null;
        }
    }

    private static List<MasksIndex.MaskFile> write(String stem, PriorResult r, Folder out) throws IOException {
        List<MasksIndex.MaskFile> files = new ArrayList<>();
        List<PriorResult.Mask> ms = r.masks();
        for (int k = 0; k < ms.size(); k++) {
            PriorResult.Mask m = ms.get(k);
            String name = ms.size() == 1 ? stem + ".png" : stem + "_" + k + ".png";
            BufferedImage png = new BufferedImage(m.width(), m.height(), BufferedImage.TYPE_BYTE_GRAY);
            byte[] px = ((DataBufferByte) png.getRaster().getDataBuffer()).getData();
            for (int i = 0; i < px.length; i++) px[i] = (byte) (m.pixels()[i] != 0 ? 255 : 0);
            out.write(name, o -> ImageIO.write(png, "png", o));
            files.add(new MasksIndex.MaskFile(name, m.score(), m.area()));
        }
        return files;
    }
}
