package dev.maskseg.engine;

import com.fasterxml.jackson.databind.JsonNode;
import dev.maskseg.engine.backend.PoolParams;
import dev.maskseg.engine.backend.ResizeParams.Mode;
import dev.maskseg.engine.ops.Conv;
import dev.maskseg.engine.ops.Pool;
import dev.maskseg.engine.ops.Index;
import dev.maskseg.engine.ops.LinAlg;
import dev.maskseg.engine.ops.Losses;
import dev.maskseg.engine.ops.Norm;
import dev.maskseg.engine.ops.Pointwise;
import dev.maskseg.engine.ops.Reduce;
import dev.maskseg.engine.ops.Resize;

import java.util.List;
import java.util.stream.StreamSupport;

/** Maps a fixture's op name and parameters (tools/gen_engine_fixtures.py) onto our engine's calls. */
final class TorchFixtureOps {
    private TorchFixtureOps() {}

    private static int[] ints(JsonNode n) {
        return StreamSupport.stream(n.spliterator(), false).mapToInt(JsonNode::asInt).toArray();
    }

    static Tensor apply(String op, JsonNode p, Tensor[] t, java.util.Map<String, Tensor> extra) {
        return switch (op) {
            case "add" -> t[0].add(t[1]);
            case "sub" -> t[0].sub(t[1]);
            case "mul" -> t[0].mul(t[1]);
            case "div" -> t[0].div(t[1]);
            case "neg" -> t[0].neg();
            case "pow" -> t[0].pow(p.get("p").asDouble());
            case "exp" -> t[0].exp();
            case "tanh" -> t[0].tanh();
            case "sigmoid" -> t[0].sigmoid();
            case "relu" -> t[0].relu();
            case "abs" -> t[0].abs();
            case "erf" -> Pointwise.erf(t[0]);
            case "log" -> t[0].log();
            case "sqrt" -> t[0].sqrt();
            case "rsqrt" -> Pointwise.rsqrt(t[0]);
            case "gelu" -> Pointwise.gelu(t[0]);
            case "softplus" -> Pointwise.softplus(t[0], p.get("beta").asDouble(), p.get("threshold").asDouble());
            case "clamp" -> t[0].clamp(p.get("min").asDouble(), p.get("max").asDouble());
            case "maximum" -> Pointwise.maximum(t[0], t[1]);
            case "minimum" -> Pointwise.minimum(t[0], t[1]);
            case "where" -> Pointwise.where(t[0].detach().gt(0), t[1], t[2]);
            case "sum" -> Reduce.sum(t[0], ints(p.get("dims")), p.get("keepdim").asBoolean());
            case "mean" -> Reduce.mean(t[0], ints(p.get("dims")), p.get("keepdim").asBoolean());
            case "amax" -> Reduce.amax(t[0], ints(p.get("dims")), p.get("keepdim").asBoolean());
            case "max_dim" -> Reduce.max(t[0], p.get("dim").asInt(), false).values();
            case "var" -> Reduce.var(t[0], ints(p.get("dims")), p.get("unbiased").asBoolean(), p.path("keepdim").asBoolean(false));
            case "std" -> Reduce.std(t[0], ints(p.get("dims")), p.get("unbiased").asBoolean(), p.path("keepdim").asBoolean(false));
            case "logsumexp" -> Reduce.logsumexp(t[0], ints(p.get("dims")), false);
            case "topk" -> Reduce.topk(t[0], p.get("k").asInt(), p.get("dim").asInt(), p.get("largest").asBoolean()).values();
            case "argmax" -> Reduce.argmax(t[0], p.get("dim").asInt(), false);
            case "matmul" -> t[0].matmul(t[1]);
            case "linear" -> LinAlg.linear(t[0], t[1], t[2]);
            case "conv2d" -> Conv.conv2d(t[0], t[1], t.length > 2 ? t[2] : null, p.get("stride").asInt(), p.get("padding").asInt(),
                    p.get("dilation").asInt(), p.get("groups").asInt());
            case "max_pool2d" -> Pool.maxPool2d(t[0], pool(p, true));
            case "avg_pool2d" -> Pool.avgPool2d(t[0], pool(p, p.get("count_include_pad").asBoolean()));
            case "adaptive_avg_pool2d" -> Pool.adaptiveAvgPool2d(t[0], p.get("h").asInt(), p.get("w").asInt());
            case "batch_norm_train" -> Norm.batchNorm(t[0], extra.get("running_mean"), extra.get("running_var"), t[1], t[2], true, 0.1, 1e-5);
            case "batch_norm_eval" -> Norm.batchNorm(t[0], t[1].detach(), t[2].detach(), t[3], t[4], false, 0.1, 1e-5);
            case "layer_norm" -> Norm.layerNorm(t[0], p.get("dims").asInt(), t[1], t[2], p.get("eps").asDouble());
            case "softmax" -> Norm.softmax(t[0], p.get("dim").asInt());
            case "log_softmax" -> Norm.logSoftmax(t[0], p.get("dim").asInt());
            case "normalize" -> Norm.normalize(t[0], p.get("dim").asInt(), 1e-12);
            case "cross_entropy" -> Losses.crossEntropy(t[0], t[1], p.get("weighted").asBoolean() ? t[2].detach() : null,
                    p.get("ignore_index").asInt(), Losses.Reduction.valueOf(p.get("reduction").asText().toUpperCase()));
            case "bce_with_logits" -> Losses.bceWithLogits(t[0], t[1], t[2].detach(), Losses.Reduction.MEAN);
            case "interpolate" -> Resize.interpolate(t[0], p.get("h").asInt(), p.get("w").asInt(),
                    Mode.valueOf(p.get("mode").asText().toUpperCase()), p.get("align_corners").asBoolean());
            case "interpolate_scale" -> Resize.interpolateScale(t[0], p.get("sh").asDouble(), p.get("sw").asDouble(),
                    Mode.valueOf(p.get("mode").asText().toUpperCase()), p.get("align_corners").asBoolean());
            case "cat" -> Index.cat(List.of(t[0], t[1]), p.get("dim").asInt());
            case "stack" -> Index.stack(List.of(t[0], t[1]), p.get("dim").asInt());
            case "index_select" -> Index.indexSelect(t[0], p.get("dim").asInt(), t[1]);
            case "gather" -> Index.gather(t[0], p.get("dim").asInt(), t[1]);
            case "scatter_add" -> Index.scatterAdd(t[0], p.get("dim").asInt(), t[1], t[2]);
            case "masked_fill" -> Index.maskedFill(t[0], t[0].detach().lt(0), p.get("value").asDouble());
            case "masked_select" -> Index.maskedSelect(t[0], t[0].detach().gt(0));
            case "one_hot" -> Index.oneHot(t[0], p.get("classes").asInt());
            case "pad" -> Index.pad(t[0], ints(p.get("pads")), p.get("value").asDouble());
            default -> throw new IllegalArgumentException("fixture op not mapped: " + op);
        };
    }

    private static PoolParams pool(JsonNode p, boolean includePad) {
        int k = p.get("kernel").asInt(), s = p.get("stride").asInt(), pad = p.get("padding").asInt();
        return new PoolParams(k, k, s, s, pad, pad, 1, 1, p.get("ceil").asBoolean(), includePad);
    }
}
