package io.paramlab.model;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.ConstructorBinding;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

import java.time.Duration;

/**
 * The service's limits, so that no request can crash it, run it out of memory or hold a CPU for
 * long. The memory budgets left unset are fractions of the JVM's max heap (see {@link HeapDefaults}),
 * so a service started with {@code -Xmx256m} refuses what 256 MB cannot hold instead of dying.
 *
 * @param maxParametersPerModel parameter elements one model may hold (a float32 each); unset:
 *                              the smaller of 50,000,000 and {@code maxTotalParameters}
 * @param maxTotalParameters    parameter elements all live models may hold together; unset: 40% of the heap
 * @param maxModels             live models at once
 * @param maxDepth              nesting depth of Sequentials in a spec
 * @param maxModulePaths        module paths of one model, shared modules counted at every use
 * @param maxBodySize           size of one request body; unset: the smaller of 64 MB and 1/16 of the heap
 * @param maxActivationElements float elements one forward or backward may allocate (outputs,
 *                              saved activations, gradients); unset: the smaller of 100,000,000 and 10% of the heap
 * @param maxInitRules          rules in one init request
 * @param maxInitWork           element operations one init request may do: per application, the
 *                              parameter's elements times the policy's cost (1, an expression's
 *                              size, orthogonal's smaller side), summed over the request
 * @param maxJsonTreeTokens     JSON tokens of a body read as a tree (a spec, an init request); unset:
 *                              the smaller of 10,000,000 and the heap's bytes / 1024
 * @param maxInflightActivationElements float elements all forwards and backwards in flight may hold
 *                              together (413 past it, worth a retry); unset: 25% of the heap, at least
 *                              max-activation-elements
 * @param maxRequestTime        wall time a request may run before its work is abandoned at the next
 *                              safe point and rolled back (503)
 * @param maxDatasetElements    elements of one dataset's input and target together (a job holds them
 *                              in memory while it runs); unset: the smaller of 20,000,000 and 10% of the heap
 * @param maxSpectraWork        the singular values one spectra request may compute: Σ n·m² over its
 *                              matrices (n x m, n ≥ m), counted from the shapes before any work
 * @param maxGraphNodes         nodes of one Module's graph (torchvision's largest traced models have a
 *                              few thousand)
 */
@ConfigurationProperties("paramlab.limits")
public record ParamlabLimits(
        Long maxParametersPerModel,
        Long maxTotalParameters,
        @DefaultValue("1000") int maxModels,
        @DefaultValue("32") int maxDepth,
        @DefaultValue("10000") long maxModulePaths,
        DataSize maxBodySize,
        Long maxActivationElements,
        @DefaultValue("100") int maxInitRules,
        @DefaultValue("2000000000") long maxInitWork,
        @DefaultValue("30s") Duration maxRequestTime,
        Long maxJsonTreeTokens,
        Long maxInflightActivationElements,
        Long maxDatasetElements,
        @DefaultValue("2000000000000") long maxSpectraWork,
        @DefaultValue("10000") int maxGraphNodes) {

    @ConstructorBinding
    public ParamlabLimits {
        HeapDefaults heap = HeapDefaults.ofThisJvm();
        maxTotalParameters = maxTotalParameters != null ? maxTotalParameters : heap.totalParameters();
        maxParametersPerModel = maxParametersPerModel != null ? maxParametersPerModel : Math.min(50_000_000L, maxTotalParameters);
        maxBodySize = maxBodySize != null ? maxBodySize : heap.bodySize();
        maxActivationElements = maxActivationElements != null ? maxActivationElements : heap.activationElements();
        maxJsonTreeTokens = maxJsonTreeTokens != null ? maxJsonTreeTokens : heap.jsonTreeTokens();
        maxInflightActivationElements = maxInflightActivationElements != null ? maxInflightActivationElements
                : Math.max(maxActivationElements, heap.inflightActivationElements());
        maxDatasetElements = maxDatasetElements != null ? maxDatasetElements : heap.datasetElements();
    }

    /** The first seven limits as before; the CPU limits at their defaults. */
    public ParamlabLimits(long maxParametersPerModel, long maxTotalParameters, int maxModels, int maxDepth, long maxModulePaths,
                          DataSize maxBodySize, long maxActivationElements) {
        this(maxParametersPerModel, maxTotalParameters, maxModels, maxDepth, maxModulePaths, maxBodySize, maxActivationElements,
                100, 2_000_000_000L, Duration.ofSeconds(30), null, null, null, 2_000_000_000_000L, 10_000);
    }

    /** What the spec parser enforces while reading. */
    public io.paramlab.spec.SpecParser.Limits specLimits() {
        return new io.paramlab.spec.SpecParser.Limits(maxDepth, maxGraphNodes);
    }

    /** Budgets derived from the max heap ({@code -Xmx}, or the JVM's own default share of the machine). */
    record HeapDefaults(long heapBytes) {
        static HeapDefaults ofThisJvm() {
            return new HeapDefaults(Runtime.getRuntime().maxMemory());
        }

        /** 40% of the heap as float32 elements: the rest is for requests in flight, answers and the service itself. */
        long totalParameters() {
            return heapBytes / 4 * 2 / 5;
        }

        /** 25% of the heap for the forwards and backwards in flight together. */
        long inflightActivationElements() {
            return heapBytes / 4 / 4;
        }

        /** 10% of the heap per forward or backward. */
        long activationElements() {
            return Math.min(100_000_000L, heapBytes / 4 / 10);
        }

        /** A dataset is held whole by a running job (int64 targets count as two elements). */
        long datasetElements() {
            return Math.min(20_000_000L, heapBytes / 4 / 10);
        }

        /** A tree costs up to about 64 bytes a token: a token cap of heap/1024 keeps one tree under 1/16 of the heap. */
        long jsonTreeTokens() {
            return Math.min(10_000_000L, heapBytes / 1024);
        }

        /** A JSON body parses into about half its size in floats, plus the tree or array being built. */
        DataSize bodySize() {
            return DataSize.ofBytes(Math.min(DataSize.ofMegabytes(64).toBytes(), heapBytes / 16));
        }
    }

    /**
     * The largest safetensors or torch.save body: the largest model the limits allow at 8 bytes an
     * element (float64 files convert to float32 on load), plus max-body-size for the header and pickle.
     */
    public long maxBinaryBodySize() {
        return maxParametersPerModel * 8 + maxBodySize.toBytes();
    }
}
