package io.paramlab;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** The paramlab service: neural-network parameters over HTTP/JSON, with PyTorch's semantics. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class ParamlabApplication {
    public static void main(String[] args) {
        SpringApplication.run(ParamlabApplication.class, args);
    }
}
