package io.paramlab.model;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * The service's limits, so that no request can crash it or run it out of memory.
 *
 * @param maxParametersPerModel parameter elements one model may hold (a float32 each)
 * @param maxTotalParameters    parameter elements all live models may hold together
 * @param maxModels             live models at once
 * @param maxDepth              nesting depth of Sequentials in a spec
 * @param maxModulePaths        module paths of one model, shared modules counted at every use
 * @param maxBodySize           size of one request body
 * @param maxActivationElements float elements one forward or backward may allocate (outputs,
 *                              saved activations, gradients), so a large input through a long
 *                              graph is refused instead of exhausting the heap
 * @param maxDatasetElements    elements of one dataset's input and target together (a job holds
 *                              them in memory while it runs: 4 or 8 bytes each)
 */
@ConfigurationProperties("paramlab.limits")
public record ParamlabLimits(
        @DefaultValue("50000000") long maxParametersPerModel,
        @DefaultValue("200000000") long maxTotalParameters,
        @DefaultValue("1000") int maxModels,
        @DefaultValue("32") int maxDepth,
        @DefaultValue("10000") long maxModulePaths,
        @DefaultValue("64MB") DataSize maxBodySize,
        @DefaultValue("100000000") long maxActivationElements,
        @DefaultValue("20000000") long maxDatasetElements) {

    /**
     * The largest safetensors or torch.save body: the largest model the limits allow at 8 bytes an
     * element (float64 files convert to float32 on load), plus max-body-size for the header and pickle.
     */
    public long maxBinaryBodySize() {
        return maxParametersPerModel * 8 + maxBodySize.toBytes();
    }
}
