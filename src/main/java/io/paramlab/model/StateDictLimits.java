package io.paramlab.model;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

import java.time.Duration;

/**
 * The limits of stored state dicts (API.md, "State dicts without a model"), beside {@link ParamlabLimits}
 * under the same prefix. None of them is a share of the heap: uploads and downloads stream.
 *
 * @param maxStateDictBytes     the largest upload (its file's bytes); 413 past it
 * @param maxTransferTime       wall time of one streaming upload or download, instead of max-request-time
 * @param maxJsonAnswerElements elements of one tensor read as JSON; 413 past it
 */
@ConfigurationProperties("paramlab.limits")
public record StateDictLimits(
        @DefaultValue("16GB") DataSize maxStateDictBytes,
        @DefaultValue("30m") Duration maxTransferTime,
        @DefaultValue("10000000") long maxJsonAnswerElements) {
}
