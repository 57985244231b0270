package dev.maskseg.pipeline.mining;

import dev.maskseg.pipeline.Failures;
import dev.maskseg.pipeline.RunFolder;
import dev.maskseg.pipeline.StageListener;
import dev.maskseg.pipeline.batch.BatchErrors;
import dev.maskseg.pipeline.batch.BatchOptions;
import dev.maskseg.pipeline.data.Folder;
import dev.maskseg.pipeline.data.ImageFiles;
import dev.maskseg.pipeline.data.MasksIndex;
import dev.maskseg.prior.MaskPrior;
import dev.maskseg.prior.PriorContext;
import dev.maskseg.prior.PriorParams;
import dev.maskseg.prior.PriorResult;
import dev.maskseg.zoo.image.ImageDecoder;
import dev.maskseg.zoo.image.ImageEncoder;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Mask mining: a prior run over images, each image's masks written as {@code <stem>.png} (0/255) for one mask or
 * {@code <stem>_<k>.png} for several, and {@link MasksIndex masks.json} with the prior, its parameters and each
 * image's scores and areas. Every file is written atomically; the output folder is claimed through {@link RunFolder}
 * (an interrupted run continues, a finished one needs resume or overwrite), and images already in the index (whose
 * files are there) are skipped. An image that cannot be decoded, or on which the prior fails, is that image's error
 * ({@link BatchErrors}): reported, recorded in the index, counted, retried by the next run. A failure to write (a full
 * disk) ends the run with the index saved as far as it got. {@link #processImage} is the work of one image, for callers
 * that distribute images themselves (a Spark task, which passes the file's bytes and a {@link Folder} of any file
 * system), who then {@link MasksIndex#record record} the entries in one index.
 */
public final class MaskMiningStage {
    /** What a run did; {@link #line()} is the one-line summary {@code maskseg mine-masks} prints. */
    public record Summary(String prior, int mined, int masks, int dropped, int failed, int alreadyDone, double seconds, int threads, Path index) {
        public String line() {
            return String.format("mine-masks %s: %d images with %d masks, %d dropped (no mask), %d failed (reported above), %d already done; "
                            + "%.2f images/s on %d threads; %s", prior, mined, masks, dropped, failed, alreadyDone,
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

    /** {@link #run(List, Path, int, BatchOptions, StageListener)} with the default options (go on past bad files, a new or interrupted folder). */
    public Summary run(List<Path> images, Path outDir, int threads, StageListener listener) throws Exception {
        return run(images, outDir, threads, BatchOptions.DEFAULT, listener);
    }

    /** Mines every image not yet done into {@code outDir}, {@code threads} images at a time. */
    public Summary run(List<Path> images, Path outDir, int threads, BatchOptions options, StageListener listener) throws Exception {
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        RunFolder folder = RunFolder.claim(outDir, "mine-masks", Map.of("images", ImageFiles.folderOf(images)), options.mode(), true);
        MasksIndex index = folder.continued() ? MasksIndex.openForWriting(outDir, prior.name(), params.asMap())
                : MasksIndex.empty(outDir, prior.name(), params.asMap());
        index.save(); // a valid index from the start, so a run that fails later (a full disk) leaves one
        BatchErrors errors = new BatchErrors(options.strict(), listener);
        List<Path> todo = errors.uniqueStems(images);
        for (var e : errors.all().entrySet()) index.record(e.getKey(), MasksIndex.Entry.error(e.getValue()));
        AtomicInteger mined = new AtomicInteger(), masks = new AtomicInteger(), dropped = new AtomicInteger(), resumed = new AtomicInteger();
        long start = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        listener.start("mine-masks " + prior.name(), images.size(), images.size() - todo.size(), "images");
        Exception failure = null;
        try {
            List<Future<?>> jobs = new ArrayList<>();
            for (Path f : todo) {
                jobs.add(pool.submit(() -> {
                    String stem = ImageFiles.stem(f);
                    if (index.done(stem)) {
                        resumed.incrementAndGet();
                    } else {
                        PriorResult r = null;
                        try {
                            r = mine(f.toString(), ImageDecoder.read(f));
                        } catch (IOException | RuntimeException ex) {
                            errors.record(stem, f, ex);
                            index.record(stem, MasksIndex.Entry.error(errors.get(stem)));
                        }
                        if (r != null) {
                            MasksIndex.Entry e = MasksIndex.Entry.of(write(stem, r, Folder.local(outDir)));
                            index.record(stem, e);
                            (e.status().equals(MasksIndex.Entry.DROPPED) ? dropped : mined).incrementAndGet();
                            masks.addAndGet(e.masks().size());
                        }
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
        } catch (Exception e) {
            failure = e;
            throw Failures.noSpace(e) ? new IOException(Failures.describe(e) + "; " + index.folder().path(MasksIndex.FILE)
                    + " records the images done so far: free space and rerun to continue", e) : e;
        } finally {
            pool.shutdownNow();
            listener.end();
            try {
                index.save();
            } catch (IOException saveFailed) {
                if (failure == null) throw saveFailed;
                failure.addSuppressed(saveFailed);
            }
        }
        Summary s = new Summary(prior.name(), mined.get(), masks.get(), dropped.get(), errors.count(), resumed.get(), (System.nanoTime() - start) / 1e9,
                threads, outDir.resolve(MasksIndex.FILE));
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("images", images.size());
        summary.put("mined", s.mined());
        summary.put("masks", s.masks());
        summary.put("dropped", s.dropped());
        summary.put("already_done", s.alreadyDone());
        summary.put("failed", s.failed());
        summary.put("errors", errors.all());
        folder.finish(summary);
        return s;
    }

    /**
     * One image: the prior's masks written atomically into {@code outDir}, named by the image's stem, and the image's
     * index entry; an image that cannot be decoded or mined is reported to {@code listener} and gives an error entry.
     * Thread-safe.
     */
    public MasksIndex.Entry processImage(Path image, Path outDir, StageListener listener) throws Exception {
        PriorResult r;
        try {
            r = mine(image.toString(), ImageDecoder.read(image));
        } catch (IOException | RuntimeException e) {
            return errorEntry(image.toString(), e, listener);
        }
        return MasksIndex.Entry.of(write(ImageFiles.stem(image), r, Folder.local(outDir)));
    }

    /**
     * One image given as its file's bytes ({@code source} names the file in messages), its masks written into
     * {@code out}: the work of {@link #processImage(Path, Path, StageListener)} for callers that read the files
     * themselves (a Spark task, from any file system). Thread-safe.
     */
    public MasksIndex.Entry processImage(String stem, String source, byte[] encoded, Folder out, StageListener listener) throws Exception {
        PriorResult r;
        try {
            r = mine(source, ImageDecoder.read(source, encoded, "image"));
        } catch (IOException | RuntimeException e) {
            return errorEntry(source, e, listener);
        }
        return MasksIndex.Entry.of(write(stem, r, out));
    }

    private static MasksIndex.Entry errorEntry(String source, Exception e, StageListener listener) {
        String line = Failures.describe(e);
        if (!line.contains(source)) line = source + ": " + line;
        listener.problem(line + "; skipped");
        return MasksIndex.Entry.error(line);
    }

    /** The prior's masks of one decoded image ({@code source} names it): the part whose failures are the image's own. */
    private PriorResult mine(String source, BufferedImage img) throws IOException {
        try {
            return prior.run(img, params, context);
        } catch (Exception e) {
            throw new IOException(source + ": prior " + prior.name() + " failed (" + Failures.describe(e) + ")", e);
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
            out.write(name, ImageEncoder.png(png));
            files.add(new MasksIndex.MaskFile(name, m.score(), m.area()));
        }
        return files;
    }
}
