package dev.maskseg.engine.aparapi;

/**
 * The aparapi backend's one device program. Aparapi compiles a Kernel class, with its superclasses, into one OpenCL
 * program and keeps device buffers per kernel instance, so the two memory arenas ({@link ArenaKernel}) are shared by
 * every op only if every op is in one kernel class. Each op family's device code is therefore a class of its own,
 * named as the family's ops and host-side launcher ({@code ops/Conv}, {@link AparapiConv}, {@link AparapiConvKernel}),
 * and the families are chained by inheritance down to this class, which holds the entry point and dispatches on
 * {@link #op}. The order of the chain carries no meaning: a family calls only {@link ArenaKernel}'s element access,
 * never another family.
 */
final class EngineKernel extends AparapiRoiAlignKernel {
    @Override
    public void run() {
        if (op == OP_GEMM) {
            gemm();
        } else {
            int i = getGlobalId();
            if (i < n) dispatch(i);
        }
    }

    private void dispatch(int i) {
        if (op == OP_FILL) fillAt(i);
        else if (op == OP_COPY) copyAt(i);
        else if (op == OP_UNARY) unaryAt(i);
        else if (op == OP_BINARY) binaryAt(i);
        else if (op == OP_WHERE) whereAt(i);
        else if (op == OP_REDUCE) reduceAt(i);
        else if (op == OP_SOFTMAX) softmaxRow(i);
        else if (op == OP_LAYERNORM) layerNormRow(i);
        else if (op == OP_LN_BWD_X) layerNormBackwardRow(i);
        else if (op == OP_LN_BWD_WB) layerNormBackwardColumn(i);
        else if (op == OP_IM2COL) im2colAt(i);
        else if (op == OP_COL2IM) col2imAt(i);
        else if (op == OP_MAXPOOL) maxPoolAt(i);
        else if (op == OP_AVGPOOL) avgPoolAt(i);
        else if (op == OP_AVGPOOL_BWD) avgPoolBackwardPlane(i);
        else if (op == OP_ADAPTIVE) adaptivePlane(i, false);
        else if (op == OP_ADAPTIVE_BWD) adaptivePlane(i, true);
        else if (op == OP_RESIZE) resizeAt(i);
        else if (op == OP_RESIZE_BWD) resizeBackwardPlane(i);
        else if (op == OP_GATHER) gatherAt(i);
        else if (op == OP_SCATTER_ADD) scatterAddLine(i);
        else if (op == OP_ROI_ALIGN) roiAlignAt(i);
        else if (op == OP_ROI_ALIGN_BWD) roiAlignBackwardRow(i);
        else if (op == OP_STAGE_OUT) stageOutAt(i);
        else if (op == OP_STAGE_IN) stageInAt(i);
    }
}
