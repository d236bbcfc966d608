package io.paramlab.api;

import io.paramlab.model.Loss;
import io.paramlab.spec.LayerSpec;
import io.paramlab.spec.Param;
import io.swagger.v3.oas.models.media.Discriminator;
import io.swagger.v3.oas.models.media.Schema;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * The JSON the API reads and writes, as OpenAPI 3.1 (JSON Schema 2020-12) components. Built here
 * rather than read off Java types: specs and init requests are read from JSON trees, tensors by
 * their own codec, and what matters to a client (recursion, nulls, non-finite strings, required
 * fields) is not in the Java types. The layer types come from their declarations in
 * {@link LayerSpec#DECLARATIONS}; a new init policy is one line in {@link #POLICIES};
 * OpenApiContractTest holds every answer to these schemas.
 */
final class ApiSchemas {
    private ApiSchemas() {
    }

    /** Component names the controllers' annotations refer to. */
    static final String OPTIMIZER_STATE_DICT = "OptimizerStateDict", OPTIMIZER = "Optimizer";
    static final String MODEL_STATS = "ModelStats", PARAMETER_STATS = "ParameterStats", HISTORY_ENTRY = "HistoryEntry";
    static final String CHECKPOINT = "Checkpoint", CHECKPOINT_REQUEST = "CheckpointRequest", FORK_REQUEST = "ForkRequest",
            DIFF_ENTRY = "DiffEntry";
    static final String MODEL_SPEC = "ModelSpec", MODEL = "Model", MODEL_SUMMARY = "ModelSummary", MODEL_PATCH = "ModelPatch",
            MODULE = "Module", PARAMETER = "Parameter", PARAMETER_PATCH = "ParameterPatch", STATE_DICT = "StateDict",
            STATE_DICT_INPUT = "StateDictInput", LOAD_RESULT = "LoadResult", INIT_REQUEST = "InitRequest",
            INIT_RESPONSE = "InitResponse", FORWARD_REQUEST = "ForwardRequest", FORWARD_RESPONSE = "ForwardResponse",
            BACKWARD_REQUEST = "BackwardRequest", BACKWARD_RESPONSE = "BackwardResponse", PROBLEM = "Problem";
    static final String STORED_STATE_DICT = "StoredStateDict", STORED_TENSOR = "StoredTensor",
            STORED_STATE_DICT_STATS = "StoredStateDictStats", STATE_DICT_DIFF = "StateDictDiff", STATE_DICT_PATCH = "StateDictPatch";
    static final String SPECTRA = "Spectra", CALLER = "Caller";
    static final String DATASET = "Dataset", DATASET_INPUT = "DatasetInput", JOB = "Job", JOB_REQUEST = "JobRequest",
            JOB_HISTORY = "JobHistory";

    /** The strings a non-finite float travels as, in and out (TensorJson.nonFinite reads exactly these). */
    static final List<String> NON_FINITE = List.of("NaN", "Infinity", "-Infinity");
    static final String NON_FINITE_PATTERN = "^(" + String.join("|", NON_FINITE) + ")$";

    /** A property of a layer or policy: its JSON name, its schema, whether it must be given. */
    record Arg(String name, Schema<?> schema, boolean required) {
    }

    /** A layer type as the spec declares it: PyTorch's name and arguments with their defaults. */
    record Layer(String type, String description, List<Arg> args) {
    }

    /** An nn.init policy: its name and arguments with their defaults. */
    record Policy(String type, String description, List<Arg> args) {
    }

    /**
     * The layer types of the model spec, each as {@link LayerSpec#DECLARATIONS} declares it (its
     * arguments, defaults and docs are the parser's own); the structural kinds are {@link #STRUCTURAL}.
     */
    static final List<Layer> LAYERS = layers();

    private static List<Layer> layers() {
        List<Layer> out = new ArrayList<>();
        for (LayerSpec.Declaration d : LayerSpec.DECLARATIONS.values()) {
            out.add(new Layer(d.type(), d.doc(), d.params().stream().map(ApiSchemas::arg).toList()));
        }
        return List.copyOf(out);
    }

    /** A declared argument as JSON Schema: its kind's schema, its default, its doc. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Arg arg(Param p) {
        Schema schema = switch (p.kind()) {
            case POSITIVE_INT -> positive(8);
            case INT -> integer(null);
            case NUMBER, NUMBER_KEEPING_FORM -> number(null);
            case NULLABLE_NUMBER -> nullable(number(null));
            case BOOL -> bool(null);
            case CHOICE -> strings(null, p.choices().toArray(String[]::new));
            case SHAPE -> oneOf(positive(8), array(positive(8)).minItems(1));
            case SIZE -> oneOf(positive(3), array(positive(3)).minItems(1).maxItems(2));
            case PADDING -> oneOf(integer(null).minimum(BigDecimal.ZERO), array(integer(null).minimum(BigDecimal.ZERO)).minItems(1).maxItems(2));
            case CONV_PADDING -> oneOf(integer(null).minimum(BigDecimal.ZERO),
                    array(integer(null).minimum(BigDecimal.ZERO)).minItems(1).maxItems(2), strings(null, "same", "valid"));
            case OUTPUT_SIZE -> oneOf(positive(1), array(nullable(positive(1))).minItems(1).maxItems(2));
        };
        if (p.nullable() && p.kind() != Param.Kind.NULLABLE_NUMBER) {
            schema = nullable(schema);
        }
        if (p.defaultValue() != null) {
            schema._default(p.defaultValue());
        }
        schema.description(p.doc());
        return p.required() ? req(p.name(), schema) : opt(p.name(), schema);
    }

    /** The structural node kinds (API.md "Modules with a graph"): containers and modules of any class. */
    static final List<Layer> STRUCTURAL = List.of(
            layer("Sequential", "nn.Sequential (or a subclass of it by class_name): children applied in order, one value "
                            + "passed along; absent or null layers: none",
                    opt("class_name", className("Sequential")), opt("version", version()),
                    opt("layers", nullable(array(ref("Node"))))),
            layer("Module", "A module of any class: its own parameters and buffers (before its children's in state_dict), "
                            + "its children, and optionally its forward as a torch.fx graph; without a graph it has no forward",
                    opt("class_name", className("Module")),
                    opt("extra_repr", string().description("the text repr prints between the parentheses of a module "
                            + "without children").example("p=0.0, mode=row")),
                    opt("version", version()),
                    opt("parameters", nullable(array(ref("OwnTensor")))),
                    opt("buffers", nullable(array(ref("OwnTensor")))),
                    opt("modules", nullable(array(ref("Node"))).description("the children, each named, in registration order")),
                    opt("graph", nullable(array(ref("GraphNode"))).description("the forward, as torch.fx writes it; checked at "
                            + "create (400 naming the node: model.graph[6].target)"))),
            layer("ModuleList", "nn.ModuleList: children (names default to indexes); no forward of its own",
                    opt("class_name", className("ModuleList")), opt("version", version()),
                    opt("modules", nullable(array(ref("Node"))))),
            layer("ModuleDict", "nn.ModuleDict: named children; no forward of its own",
                    opt("class_name", className("ModuleDict")), opt("version", version()),
                    opt("modules", nullable(array(ref("Node"))))),
            layer("TransformerEncoder", "nn.TransformerEncoder: layers.{i} are num_layers copies of encoder_layer (built once, "
                            + "as _get_clones deep-copies it), then the optional norm; forward (src, mask, src_key_padding_mask)",
                    req("encoder_layer", ref("Node").description("a TransformerEncoderLayer node")), req("num_layers", positive(2)),
                    opt("norm", nullable(ref("Node")).description("a LayerNorm node, applied last")),
                    opt("enable_nested_tensor", bool(true).description("accepted; the fast path is not taken"))),
            layer("TransformerDecoder", "nn.TransformerDecoder: layers.{i} are num_layers copies of decoder_layer, then the "
                            + "optional norm; forward (tgt, memory, tgt_mask, memory_mask, tgt_key_padding_mask, memory_key_padding_mask)",
                    req("decoder_layer", ref("Node").description("a TransformerDecoderLayer node")), req("num_layers", positive(2)),
                    opt("norm", nullable(ref("Node")).description("a LayerNorm node, applied last"))));

    /** The nn.init policies, one line each, with PyTorch's defaults. */
    static final List<Policy> POLICIES = List.of(
            policy("zeros", "nn.init.zeros_"),
            policy("ones", "nn.init.ones_"),
            policy("constant", "nn.init.constant_", req("value", number(null))),
            policy("uniform", "nn.init.uniform_", opt("a", number(0)), opt("b", number(1))),
            policy("normal", "nn.init.normal_", opt("mean", number(0)), opt("std", number(1))),
            policy("xavier_uniform", "nn.init.xavier_uniform_", opt("gain", number(1))),
            policy("xavier_normal", "nn.init.xavier_normal_", opt("gain", number(1))),
            policy("kaiming_uniform", "nn.init.kaiming_uniform_", kaiming()),
            policy("kaiming_normal", "nn.init.kaiming_normal_", kaiming()),
            policy("trunc_normal", "nn.init.trunc_normal_", opt("mean", number(0)), opt("std", number(1)),
                    opt("a", number(-2)), opt("b", number(2))),
            policy("orthogonal", "nn.init.orthogonal_", opt("gain", number(1))),
            policy("eye", "nn.init.eye_"),
            policy("default", "the layer's own reset_parameters() for that parameter"),
            policy("custom", "draw base, then replace each element w by expr: numbers, + - * /, comparisons giving 1 "
                            + "or 0, abs sign min max sqrt exp log clamp where",
                    req("base", ref("Policy")), req("expr", string().example("w * (abs(w) >= 5)"))));

    /** Every component schema of the document, in a stable order. */
    static Map<String, Schema> components() {
        Map<String, Schema> out = new LinkedHashMap<>();
        tensors(out);
        spec(out);
        models(out);
        parameters(out);
        statistics(out);
        spectra(out);
        compute(out);
        init(out);
        checkpoints(out);
        storedStateDicts(out);
        JobSchemas.jobs(out);
        problems(out);
        return out;
    }

    private static void tensors(Map<String, Schema> out) {
        // Written without "type" on purpose: "not" rules out the other JSON types, pattern constrains the
        // strings only and items the arrays only, so a validator checks exactly "a number, a non-finite
        // string, or a list of TensorValue", while code generators that can neither recurse through a
        // oneOf of a list nor read type arrays (openapi-generator 7's python) see "any value" and work.
        out.put("FloatValue", new Schema<>().not(type("object", "array", "boolean", "null").items(new Schema<>()))
                        .pattern(NON_FINITE_PATTERN)
                .description("a float32: a JSON number, or one of the strings \"NaN\", \"Infinity\", \"-Infinity\""));
        out.put("TensorValue", new Schema<>().not(type("object", "boolean", "null")).pattern(NON_FINITE_PATTERN)
                .items(ref("TensorValue"))
                .description("tensor.tolist(): a number (the strings \"NaN\", \"Infinity\", \"-Infinity\" for non-finite "
                        + "floats) or a list of TensorValue, nested row-major")
                .example(List.of(List.of(0.1, 0.2), List.of(0.3, 0.4))));
        Schema<?> shape = array(integer(null).minimum(BigDecimal.ZERO)).description("the size of each dimension; [] for a 0-d tensor");
        out.put("Tensor", object("A tensor: data nested row-major as tensor.tolist(), a bare number for shape []; a lazy "
                        + "layer's parameter before its first forward has shape null, initialized false and no data",
                req("shape", nullable(shape)), req("dtype", strings(null, "float32", "int64")), opt("data", ref("TensorValue")),
                opt("initialized", bool(false).description("present, false, while a lazy layer's parameter has no shape")))
                .example(Map.of("shape", List.of(2, 2), "dtype", "float32", "data", List.of(List.of(0.1, 0.2), List.of(0.3, 0.4)))));
        out.put("TensorObject", closed(object("A tensor given as an object: data nested, or flat with shape; dtype float32 "
                        + "unless given", opt("shape", array(integer(null).minimum(BigDecimal.ZERO))),
                opt("dtype", strings("float32", "float32", "int64")), req("data", ref("TensorValue")))));
        out.put("BoolTensorValue", new Schema<>().not(type("object", "number", "string", "null")).items(ref("BoolTensorValue"))
                .description("true or false, or a list of BoolTensorValue, nested row-major"));
        out.put("BoolTensorObject", closed(object("A bool tensor (a mask) given as an object: dtype bool, data true and false "
                        + "nested, or flat with shape", opt("shape", array(integer(null).minimum(BigDecimal.ZERO))),
                req("dtype", strings(null, "bool")), req("data", ref("BoolTensorValue")))));
        // anyOf, not oneOf: they never overlap, and openapi-generator's python reads a model as a list too
        out.put("TensorInput", new Schema<>().anyOf(List.of(ref("TensorObject"), ref("BoolTensorObject"), array(ref("TensorValue"))))
                .description("A tensor input: the tensor object, or a bare nested array whose shape is inferred (it must be "
                        + "rectangular)")
                .example(List.of(List.of(0.1, 0.2, 0.3, 0.4), List.of(0.5, 0.6, 0.7, 0.8))));
    }

    private static void spec(Map<String, Schema> out) {
        out.put("Node", oneOf(ref("Ref"), ref("Layer"))
                .description("A node of the model: a layer (type plus arguments), a Sequential, or a {\"ref\": KEY} to an "
                        + "entry of shared. Inside layers any node may carry a name (default: its index)."));
        Map<String, String> mapping = new LinkedHashMap<>();
        List<Schema> layers = new ArrayList<>();
        List<Layer> kinds = new ArrayList<>(STRUCTURAL);
        kinds.addAll(LAYERS);
        for (Layer layer : kinds) {
            mapping.put(layer.type(), REF + layer.type());
            layers.add(ref(layer.type()));
            List<Arg> args = new ArrayList<>();
            args.add(req("type", strings(null, layer.type())));
            args.add(opt("name", childName()));
            args.addAll(layer.args());
            out.put(layer.type(), closed(object(layer.description(), args.toArray(Arg[]::new))));
        }
        out.put("OwnTensor", closed(object("A Module's own parameter or buffer: init (default zeros) or, for a buffer, data",
                req("name", string().example("pos")), req("shape", array(count())),
                opt("init", ref("Policy").description("any policy but default; fans computed from the shape as nn.init does")),
                opt("dtype", strings("float32", "float32", "int64").description("buffers only")),
                opt("data", ref("TensorInput").description("buffers only: the values, instead of init")),
                opt("persistent", bool(true).description("buffers only: false leaves it out of state_dict")))));
        out.put("GraphNode", closed(object("A torch.fx node: placeholder (target: the forward's parameter name, default the "
                        + "name), call_module (a module path under this one), call_function (a function of the contract), "
                        + "call_method (a Tensor method; args[0] is the tensor), get_attr (a parameter or buffer path), output "
                        + "(args[0]: a node or a list of them)",
                req("name", string().example("add")),
                req("op", strings(null, "placeholder", "call_module", "call_function", "call_method", "get_attr", "output")),
                opt("target", string().example("operator.add")),
                opt("args", array(ref("GraphArg"))), opt("kwargs", map(ref("GraphArg"))),
                opt("default", ref("GraphArg").description("placeholders only")))));
        out.put("GraphArg", new Schema<>().description("A number, bool, null, string, list (a tuple), {\"node\": NAME}, "
                + "{\"slice\": [start, stop, step]}, {\"ellipsis\": true}, {\"float\": \"inf\" | \"-inf\" | \"nan\"} or "
                + "{\"training\": true} (the module's mode)"));
        out.put("Layer", new Schema<>().oneOf(layers).discriminator(new Discriminator().propertyName("type").mapping(mapping))
                .description("A layer, by its type"));
        out.put("Ref", closed(object("The shared module of that key itself, never a copy: its parameters are tied",
                req("ref", string().example("shared")), opt("name", childName()))));
        out.put(MODEL_SPEC, closed(object("A model: the root node, shared modules referenced by {\"ref\": KEY}, an optional "
                        + "seed. Construction order, which decides what a seed draws: shared in JSON order, then model "
                        + "depth-first.",
                opt("name", string().example("net")),
                opt("seed", nullable(seed()).description("torch.manual_seed(seed) before construction; absent or null: "
                        + "a random seed, reported on the model")),
                opt("shared", nullable(map(ref("Node"))).description("modules used by reference; a shared entry may ref "
                        + "earlier entries only")),
                req("model", ref("Node")),
                opt("tied_parameters", nullable(array(ref("TiedParameter"))).description("PyTorch's head.weight = tok.weight, "
                        + "applied in order after construction: one parameter object under both names")))));
        out.put("TiedParameter", closed(object("param becomes the parameter at to (same shape)",
                req("param", string().example("head.weight")), req("to", string().example("tok.weight")))));
        out.put("ModelSpecFilled", object("The spec as the model holds it: every default filled in, every child named",
                req("name", nullable(string())), req("seed", nullable(seed())), req("shared", map(ref("Node"))),
                req("model", ref("Node")), opt("tied_parameters", array(ref("TiedParameter")))));
    }

    private static void statistics(Map<String, Schema> out) {
        Schema<?> value = oneOf(number(null), ref("NonFinite"));
        out.put("NonFinite", strings(null, NON_FINITE.toArray(String[]::new)).description("a non-finite statistic"));
        out.put("Histogram", object("bins equal widths over [min, max]; every finite element counted once",
                req("edges", array(value)), req("counts", array(count()))));
        out.put("Stats", object("Statistics of one tensor: counts of NaN and infinite elements, the fraction of zeros, and over "
                        + "the finite elements mean, std (unbiased), min, max, l2_norm and a histogram (null with none)",
                req("nan_count", count()), req("inf_count", count()), req("zero_fraction", value), req("mean", value),
                req("std", value), req("min", value), req("max", value), req("l2_norm", value),
                req("histogram", nullable(ref("Histogram")))));
        out.put(PARAMETER_STATS, object("A parameter's statistics, of its data and of its gradient (null before any backward)",
                req("name", string()), req("shape", array(count())), req("numel", count()), req("data", ref("Stats")),
                req("grad", nullable(ref("Stats"))),
                req("update_ratio", nullable(value).description("‖w_after − w_before‖₂ / ‖w_before‖₂ of the last optimizer step"))));
        out.put("BufferStats", object("A buffer's statistics", req("name", string()), req("shape", array(count())),
                req("numel", count()), req("data", ref("Stats"))));
        out.put(MODEL_STATS, object("Statistics of net[module]: parameters in named_parameters order (tied once), buffers "
                + "in named_buffers order", req("parameters", array(ref(PARAMETER_STATS))), req("buffers", array(ref("BufferStats")))));
        out.put("StepResponse", object("optimizer.step()", req("step_count", count()), req("lr", array(number(null)))));
        out.put("SchedulerStepResponse", object("scheduler.step()", req("last_epoch", integer(null)), req("lr", array(number(null)))));
        out.put("TrainStepResponse", object("zero_grad, forward, loss, backward, step", req("loss", ref("FloatValue")),
                req("step_count", count())));
        out.put(OPTIMIZER, object("The optimizer: type, its options, param_groups (params by name and each group's options), "
                        + "scheduler (or null) and step_count", req("type", strings(null, "SGD", "Adam", "AdamW")),
                req("param_groups", array(map(new Schema<>()))), req("scheduler", nullable(map(new Schema<>()))),
                req("step_count", count())));
        out.put(OPTIMIZER_STATE_DICT, object("optimizer.state_dict() as PyTorch 1.13 builds it: per-parameter state by index, "
                + "the groups with every option and their params' indices", req("state", map(new Schema<>())),
                req("param_groups", array(map(new Schema<>())))));
        out.put(HISTORY_ENTRY, object("A committed change", req("version", count()), req("at", string().format("date-time")),
                req("actor", string()), req("operation", string().example("init")), req("summary", nullable(string()))));
        out.put(CALLER, object("The caller as access control sees it", req("name", string().example("ci")),
                req("role", strings(null, "read", "write", "admin")),
                req("access_control", bool(null).description("false in the open mode (no tokens, no JWT issuer)"))));
    }

    /** API.md's "Spectra": a layer's numbers, the skipped candidates, the summary. */
    private static void spectra(Map<String, Schema> out) {
        out.put("SpectraLayer", object("One analysed layer: λ = σ² > 1e-5 of its matrix (of every kernel position's "
                        + "W[:, :, pos], pooled), in float64; the fit fields, alpha_weighted, log_alpha_norm and quality are "
                        + "null with one eigenvalue or a flat spectrum",
                req("name", string()), req("shape", array(count())),
                req("n", count().description("the larger side of one matrix")), req("m", count().description("the smaller side")),
                req("num_evals", count()), req("lambda_max", real()), req("norm", real().description("Σλ")),
                req("log_norm", real()), req("log_spectral_norm", real()), req("stable_rank", real().description("Σλ / λmax")),
                req("entropy", real().description("−Σ p ln p / ln(num_evals), p = λ / Σλ")),
                req("alpha", nullable(real()).description("the power-law exponent of WeightWatcher's WWFit")),
                req("xmin", nullable(real())), req("ks_distance", nullable(real())),
                req("sigma", nullable(real()).description("(α − 1) / √n, n the eigenvalues from xmin on")),
                req("alpha_weighted", nullable(real()).description("α · log10 λmax")),
                req("log_alpha_norm", nullable(real()).description("log10 Σ λ^α")),
                req("quality", oneOf(strings(null, "over-trained", "ok", "under-trained"), type("null"))
                        .description("over-trained when α < 2, under-trained when α > 6")),
                req("esd", ref("Histogram").description("a histogram of log10 λ"))));
        out.put("SpectraSkipped", object("A candidate not analysed", req("name", string()), req("shape", array(count())),
                req("reason", strings(null, "tied", "dtype", "rank", "min_evals", "non_finite", "no_evals"))));
        out.put("SpectraSummary", object("Each number's mean over the layers where it is not null (null when none), and "
                        + "the layers per quality", req("alpha", nullable(real())), req("alpha_weighted", nullable(real())),
                req("log_norm", nullable(real())), req("log_spectral_norm", nullable(real())), req("log_alpha_norm", nullable(real())),
                req("stable_rank", nullable(real())), req("quality", object("Layers per quality", req("over-trained", count()),
                        req("ok", count()), req("under-trained", count())))));
        out.put(SPECTRA, object("Heavy-tailed self-regularization per layer, in network order",
                req("layers", array(ref("SpectraLayer"))), req("skipped", array(ref("SpectraSkipped"))),
                req("summary", ref("SpectraSummary"))));
    }

    /** A float64 answer: a number, or a non-finite string; a new schema each time, so each use can have its own description. */
    private static Schema<?> real() {
        return oneOf(number(null), ref("NonFinite"));
    }

    private static void models(Map<String, Schema> out) {
        out.put(MODEL, object("A model",
                req("id", string()), req("name", nullable(string())),
                req("owner", nullable(string()).description("who created it (a token's name, a JWT's subject, or anonymous): a write token changes only what it owns")),
                req("created_at", string().format("date-time")),
                req("training", bool(null).description("net.training; false after net.eval()")),
                req("parameter_count", count().description("elements of the unique parameters (tied ones once)")),
                req("repr", string().description("print(net)")), req("spec", ref("ModelSpecFilled")),
                req("seed", seed().description("the seed the model's generator started from (given or drawn)")),
                req("version", count().description("1 at create, +1 for each committed change of its durable state")),
                req("updated_at", string().format("date-time"))));
        out.put(MODEL_SUMMARY, object("A model in the list", req("id", string()), req("name", nullable(string())),
                req("owner", nullable(string()).description("who created it (a token's name, a JWT's subject, or anonymous): a write token changes only what it owns")),
                req("parameter_count", count()), req("created_at", string().format("date-time")),
                req("version", count()), req("updated_at", string().format("date-time"))));
        out.put(MODEL_PATCH, object("Changes to a model; absent or null: unchanged",
                opt("training", nullable(bool(null)).description("false is net.eval(), true is net.train()")),
                opt("name", nullable(string().minLength(1).maxLength(200)))));
        out.put(MODULE, object("A module in named_modules() order",
                req("path", string().description("dotted child names from the root; \"\" is the root")),
                req("type", string().example("Linear")), req("repr", string()),
                req("aliases", array(string()).description("the module's other paths (a shared module)"))));
    }

    private static void parameters(Map<String, Schema> out) {
        out.put(PARAMETER, object("A named parameter; data and grad appear when asked for (always for one parameter)",
                req("name", string().example("0.weight")),
                req("shape", nullable(array(integer(null).minimum(BigDecimal.ZERO))).description("null while a lazy layer's")),
                opt("initialized", bool(false).description("present, false, while a lazy layer's parameter has no shape")),
                req("dtype", strings(null, "float32")), req("requires_grad", bool(null)),
                req("aliases", array(string()).description("the parameter's other names (tied parameters)")),
                opt("data", ref("Tensor")), opt("grad", nullable(ref("Tensor")).description("null before any backward"))));
        out.put(PARAMETER_PATCH, object("A write: index with value (one element), or data (the whole value), and/or "
                        + "requires_grad; absent or null: unchanged",
                opt("index", nullable(array(integer(null).minimum(BigDecimal.ZERO))).example(List.of(0, 0))),
                opt("value", nullable(ref("FloatValue"))), opt("data", nullable(ref("TensorInput"))),
                opt("requires_grad", nullable(bool(null)))));
        out.put(STATE_DICT, map(ref("Tensor")).description("state_dict(): keys in PyTorch's order, each a tensor"));
        out.put(STATE_DICT_INPUT, map(ref("TensorInput")).description("A state dict to load: key to tensor"));
        out.put(LOAD_RESULT, object("What load_state_dict reports",
                req("missing_keys", array(string())), req("unexpected_keys", array(string()))));
    }

    private static void compute(Map<String, Schema> out) {
        Arg input = opt("input", ref("TensorInput").description("the forward's one argument; or give inputs"));
        Arg inputs = opt("inputs", array(nullable(ref("TensorInput"))).description("the root forward's positional arguments "
                + "(null for None), instead of input"));
        Arg kwargs = opt("kwargs", map(ref("TensorInput")).description("keyword arguments by the forward's parameter names"));
        out.put(FORWARD_REQUEST, object("net[module](*inputs, **kwargs)", input, inputs, kwargs,
                opt("module", nullable(string()).description("module path; absent, null or \"\": the whole model"))));
        out.put("Output", new Schema<>().anyOf(List.of(ref("Tensor"), array(new Schema<>()), type("null")))
                .description("A tensor, or a list for a tuple (nested as the tuple nests: tensors, lists, null for None)"));
        out.put(FORWARD_RESPONSE, object("The output", req("output", ref("Output"))));
        out.put(BACKWARD_REQUEST, object("loss_fn(net(*inputs, **kwargs), target, **loss_options).backward(); a tuple's loss "
                        + "is its first tensor's", input, inputs, kwargs,
                opt("target", nullable(ref("TensorInput")).description("needed by every loss but sum and mean; "
                        + "cross_entropy: int64 class indices, (N) or (N, d1, ...) for an output (N, C, d1, ...)")),
                req("loss", strings(null, Arrays.stream(Loss.values()).map(Loss::apiName).toArray(String[]::new))),
                opt("loss_options", nullable(object("PyTorch's keyword arguments of the loss: cross_entropy takes ignore_index "
                                + "and label_smoothing",
                        opt("ignore_index", integer(-100)), opt("label_smoothing", number(0.0)))))));
        out.put(BACKWARD_RESPONSE, object("The loss and the output; gradients accumulated",
                req("loss", ref("FloatValue")), req("output", ref("Output"))));
    }

    private static void init(Map<String, Schema> out) {
        Map<String, String> mapping = new LinkedHashMap<>();
        List<Schema> policies = new ArrayList<>();
        for (Policy policy : POLICIES) {
            String name = policyComponent(policy.type());
            mapping.put(policy.type(), REF + name);
            policies.add(ref(name));
            List<Arg> args = new ArrayList<>();
            args.add(req("type", strings(null, policy.type())));
            args.addAll(policy.args());
            out.put(name, closed(object(policy.description(), args.toArray(Arg[]::new))));
        }
        out.put("Policy", new Schema<>().oneOf(policies).discriminator(new Discriminator().propertyName("type").mapping(mapping))
                .description("An nn.init policy, by its type"));
        out.put("InitRule", closed(object("net[module].apply(fn): fn skips types not in layer_types and initializes each "
                        + "named local parameter in order",
                opt("module", strings("").description("a module path; \"\" is the root")),
                opt("layer_types", nullable(array(strings(null, java.util.stream.Stream.concat(java.util.stream.Stream.concat(LAYERS.stream(),
                        STRUCTURAL.stream()).map(Layer::type), java.util.stream.Stream.of("NonDynamicallyQuantizableLinear")).toArray(String[]::new))))
                        .description("absent or null: all types; a class name, as type(m).__name__ (MultiheadAttention's out_proj is a "
                                + "NonDynamicallyQuantizableLinear, not a Linear)")),
                req("params", map(ref("Policy")).description("local parameter name to policy, applied in this order")))));
        out.put(INIT_REQUEST, closed(object("Rules applied in order, after restarting the model's generator from seed if given",
                opt("seed", nullable(seed()).description("torch.manual_seed(seed) right before the same calls")),
                req("rules", array(ref("InitRule"))))));
        out.put("Initialized", object("One application of a policy",
                req("name", string()), req("shape", array(integer(null).minimum(BigDecimal.ZERO))), req("policy", string())));
        out.put(INIT_RESPONSE, object("What was initialized, in the order applied", req("initialized", array(ref("Initialized")))));
    }

    private static void checkpoints(Map<String, Schema> out) {
        out.put(CHECKPOINT, object("An immutable copy of a model's state dict, optimizer and scheduler state, generator state "
                        + "and training flag at one version",
                req("id", string()), req("tag", nullable(string().minLength(1).maxLength(100))),
                req("message", nullable(string())),
                req("model_version", count().description("the model's version it copies")),
                req("created_at", string().format("date-time")),
                req("parameter_count", count()),
                req("bytes", count().description("tensor bytes it added to the store: 0 when nothing changed since an earlier checkpoint"))));
        out.put(CHECKPOINT_REQUEST, closed(object("A checkpoint's tag and message, both optional",
                opt("tag", nullable(string().minLength(1).maxLength(100)).description("unique per model; neither \"live\" "
                        + "nor shaped like an id").example("epoch-3")),
                opt("message", nullable(string().maxLength(1000))))));
        out.put(FORK_REQUEST, closed(object("The new model's name; absent: the model's name when the checkpoint was taken",
                opt("name", nullable(string().minLength(1).maxLength(200)).example("net (fork)")))));
        out.put(DIFF_ENTRY, object("How one state-dict key differs from A to B",
                req("key", string().example("0.weight")), req("shape", array(count())),
                req("changed_elements", count()),
                req("max_abs_diff", oneOf(number(null), ref("NonFinite"))),
                req("l2_diff", oneOf(number(null), ref("NonFinite")).description("‖B−A‖₂")),
                req("relative_l2", nullable(oneOf(number(null), ref("NonFinite"))).description("‖B−A‖₂ / ‖A‖₂; null when ‖A‖₂ is 0"))));
    }

    private static void storedStateDicts(Map<String, Schema> out) {
        Schema<?> dtypes = strings(null, "float32", "float64", "float16", "bfloat16", "int64", "int32", "int8", "uint8", "bool");
        out.put("StoredTensorRow", object("A key of a stored state dict, in file order",
                req("key", string().example("layer1.0.conv1.weight")), req("shape", array(count())), req("dtype", dtypes),
                req("numel", count()), req("tied_to", nullable(string()).description("the first key sharing its tensor, or null"))));
        out.put("StoredModuleRow", object("A module path the dotted keys imply (\"\" is the root)",
                req("path", string()), req("tensor_count", count()), req("parameter_count", count())));
        out.put(STORED_STATE_DICT, object("A stored state dict; the list leaves out tensors and modules",
                req("id", string()), req("name", nullable(string())), req("version", count()),
                req("tensor_count", count().description("every key, ties included")),
                req("parameter_count", count().description("elements of every dtype, a tied tensor once")),
                req("bytes", count().description("tensor bytes, a tied tensor once")),
                req("dtypes", map(count()).description("elements per dtype")),
                req("created_at", string().format("date-time")), req("updated_at", string().format("date-time")),
                req("owner", nullable(string())),
                req("source", string().description("upload, model:{id} or model:{id}@{checkpoint}")),
                opt("tensors", array(ref("StoredTensorRow"))), opt("modules", array(ref("StoredModuleRow")))));
        out.put(STORED_TENSOR, object("A stored tensor in its own dtype: data nested row-major as tensor.tolist() (bool as "
                        + "true/false; float16 and bfloat16 as their exact values)",
                req("shape", array(count())), req("dtype", dtypes), req("data", new Schema<>())));
        out.put("StoredTensorStats", object("A stored tensor's statistics, in float64", req("key", string()),
                req("shape", array(count())), req("dtype", dtypes), req("numel", count()), req("data", ref("Stats"))));
        out.put(STORED_STATE_DICT_STATS, object("Statistics of stored tensors, in file order",
                req("tensors", array(ref("StoredTensorStats")))));
        out.put("StateDictMismatch", object("A key in both with another shape or dtype", req("key", string()),
                req("from_shape", array(count())), req("to_shape", array(count())), req("from_dtype", dtypes), req("to_dtype", dtypes)));
        out.put(STATE_DICT_DIFF, object("B − A in float64: rows for the keys in both with one shape, in A's order",
                req("keys", array(ref(DIFF_ENTRY))), req("only_in_from", array(string())), req("only_in_to", array(string())),
                req("mismatched", array(ref("StateDictMismatch")))));
        out.put(STATE_DICT_PATCH, closed(object("A new name", req("name", nullable(string().minLength(1).maxLength(200))))));
    }

    private static void problems(Map<String, Schema> out) {
        out.put("FieldProblem", object("One field at fault",
                req("field", string().example("model.layers[2].in_features")), req("message", string())));
        out.put(PROBLEM, object("RFC 9457 problem details (application/problem+json)",
                req("type", string().format("uri").example("urn:paramlab:problem:shape-mismatch")),
                req("title", string().example("Shapes do not fit")),
                req("status", integer(null).example(422)),
                opt("detail", string().example("mat1 and mat2 shapes cannot be multiplied (2x5 and 4x8)")),
                opt("instance", string().format("uri-reference")),
                opt("errors", array(ref("FieldProblem")).description("for invalid input: each field at fault")),
                opt("node", string().example("layer1_0/add").description("for a forward that fails inside a graph: the node it failed in "
                        + "(a nested graph's node after its caller's, separated by \"/\")")),
                opt("limit", string().description("for limits: the limit's name")),
                opt("actual", integer(null).format("int64").description("for limits: the number asked for")),
                opt("maximum", integer(null).format("int64").description("for limits: the configured maximum")),
                opt("missing_keys", array(string()).description("for a refused load_state_dict: the model's keys the dict lacks")),
                opt("unexpected_keys", array(string()).description("for a refused load_state_dict: the dict's keys the model lacks")),
                opt("size_mismatches", array(ref("SizeMismatch")).description("for a refused load_state_dict: each key of another shape"))));
        out.put("SizeMismatch", object("A key whose value has another shape than the model's",
                req("key", string()), req("shape_in_model", nullable(array(integer(null))).description("null: an uninitialized lazy parameter")),
                req("shape_in_checkpoint", array(integer(null)))));
    }

    /** "xavier_uniform" -> "XavierUniformPolicy". */
    static String policyComponent(String type) {
        StringBuilder name = new StringBuilder();
        for (String part : type.split("_")) {
            name.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
        }
        return name.append("Policy").toString();
    }

    // --- a small vocabulary of JSON Schema 2020-12 ---

    static final String REF = "#/components/schemas/";

    private static Layer layer(String type, String description, Arg... args) {
        return new Layer(type, description, List.of(args));
    }

    private static Policy policy(String type, String description, Arg... args) {
        return new Policy(type, description, List.of(args));
    }

    private static Arg[] kaiming() {
        return new Arg[] {opt("a", number(0)), opt("mode", strings("fan_in", "fan_in", "fan_out")),
                opt("nonlinearity", strings("leaky_relu", "linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d",
                        "conv_transpose2d", "conv_transpose3d", "sigmoid", "tanh", "relu", "leaky_relu", "selu"))};
    }

    static Arg req(String name, Schema<?> schema) {
        return new Arg(name, schema, true);
    }

    static Arg opt(String name, Schema<?> schema) {
        return new Arg(name, schema, false);
    }

    static Schema<?> object(String description, Arg... args) {
        Schema<?> schema = type("object").description(description);
        for (Arg arg : args) {
            schema.addProperty(arg.name(), arg.schema());
            if (arg.required()) {
                schema.addRequiredItem(arg.name());
            }
        }
        return schema;
    }

    /** The server refuses unknown fields here (the spec, init and tensor readers name them). */
    static Schema<?> closed(Schema<?> schema) {
        return schema.additionalProperties(false);
    }

    static Schema<?> type(String... types) {
        return new Schema<>().types(new LinkedHashSet<>(List.of(types)));
    }

    static Schema<?> ref(String component) {
        return new Schema<>().$ref(REF + component);
    }

    static Schema<?> oneOf(Schema<?>... choices) {
        return new Schema<>().oneOf(List.of(choices));
    }

    /** Null allowed as well: a type array for plain types, a oneOf with null around a reference or a oneOf. */
    static Schema<?> nullable(Schema<?> schema) {
        if (schema.get$ref() == null && schema.getOneOf() == null && schema.getTypes() != null) {
            schema.getTypes().add("null");
            return schema;
        }
        return oneOf(schema, type("null"));
    }

    static Schema<?> array(Schema<?> items) {
        return type("array").items(items);
    }

    static Schema<?> map(Schema<?> values) {
        return type("object").additionalProperties(values);
    }

    static Schema<?> string() {
        return type("string");
    }

    /** A string with a default; with values, one of them. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    static Schema<?> strings(String defaultValue, String... values) {
        Schema schema = string();
        if (values.length > 0) {
            schema._enum(List.of(values));
        }
        if (defaultValue != null) {
            schema._default(defaultValue);
        }
        return schema;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    static Schema<?> bool(Boolean defaultValue) {
        Schema schema = type("boolean");
        if (defaultValue != null) {
            schema._default(defaultValue);
        }
        return schema;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    static Schema<?> number(Number defaultValue) {
        Schema schema = type("number");
        if (defaultValue != null) {
            schema._default(defaultValue);
        }
        return schema;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    static Schema<?> integer(Integer defaultValue) {
        Schema schema = type("integer").format("int32");
        if (defaultValue != null) {
            schema._default(defaultValue);
        }
        return schema;
    }

    static Schema<?> positive(int example) {
        return type("integer").format("int32").minimum(BigDecimal.ONE).example(example);
    }

    static Schema<?> count() {
        return type("integer").format("int64").minimum(BigDecimal.ZERO);
    }

    /** Seeds are whole numbers; drawn ones stay below 2^53 so every JSON client reads them exactly. */
    static Schema<?> seed() {
        return type("integer").format("int64").example(42);
    }

    static Schema<?> className(String defaultValue) {
        return string().pattern("^[A-Za-z_][A-Za-z0-9_]*$")._default(defaultValue).description("the class name repr prints");
    }

    static Schema<?> version() {
        return integer(1).minimum(BigDecimal.ONE).description("the class's _version, written in state_dict()._metadata");
    }

    static Schema<?> childName() {
        return string().pattern("^[^./]+$").description("the child's name in its Sequential: non-empty, without \".\" "
                + "or \"/\", unique among siblings (default: its index)");
    }
}
