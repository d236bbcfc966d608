package io.paramlab.api;

import org.eclipse.jetty.server.AbstractConnectionFactory;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.Test;
import org.springframework.boot.jetty.servlet.JettyServletWebServerFactory;

import static org.assertj.core.api.Assertions.assertThat;

/** Jetty's connections read a request 64 KiB per {@code read} call (its default, 8 KiB, made 131 072 calls per GiB uploaded). */
class JettyInputBufferTest {
    @Test
    void theConnectorsReadSixtyFourKiBAtATime() {
        JettyServletWebServerFactory factory = new JettyServletWebServerFactory(0);
        new JettyInputBuffer().customize(factory);
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory());
        server.addConnector(connector);
        factory.getServerCustomizers().forEach(customizer -> customizer.customize(server));
        for (Connector c : server.getConnectors()) {
            for (var f : c.getConnectionFactories()) {
                assertThat(((AbstractConnectionFactory) f).getInputBufferSize()).isEqualTo(64 << 10);
            }
        }
    }
}
