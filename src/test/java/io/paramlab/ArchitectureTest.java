package io.paramlab;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * The layering of STYLE.md: security -> api -> model -> store/spec -> optim/formats -> nn -> init -> tensor
 * (security writes its refusals as the api's problems and names roles as the model's Access; the api
 * knows the caller only through the servlet request), and no
 * Spring or Jackson in the engine packages, which could be lifted into another program unchanged.
 */
@AnalyzeClasses(packages = "io.paramlab", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    @ArchTest
    static final ArchRule layers = layeredArchitecture().consideringOnlyDependenciesInLayers()
            .layer("security").definedBy("io.paramlab.security..")
            .layer("api").definedBy("io.paramlab.api..")
            .layer("model").definedBy("io.paramlab.model..")
            .layer("store").definedBy("io.paramlab.store..")
            .layer("spec").definedBy("io.paramlab.spec..")
            .layer("optim").definedBy("io.paramlab.optim..")
            .layer("formats").definedBy("io.paramlab.formats..")
            .layer("nn").definedBy("io.paramlab.nn..")
            .layer("init").definedBy("io.paramlab.init..")
            .layer("tensor").definedBy("io.paramlab.tensor..")
            .whereLayer("security").mayNotBeAccessedByAnyLayer()
            .whereLayer("api").mayOnlyBeAccessedByLayers("security")
            .whereLayer("model").mayOnlyBeAccessedByLayers("api", "security")
            .whereLayer("store").mayOnlyBeAccessedByLayers("api", "model")
            .whereLayer("spec").mayOnlyBeAccessedByLayers("api", "model")
            .whereLayer("optim").mayOnlyBeAccessedByLayers("api", "model")
            .whereLayer("formats").mayOnlyBeAccessedByLayers("api", "model")
            .whereLayer("nn").mayOnlyBeAccessedByLayers("api", "model", "spec", "optim", "formats", "store")
            .whereLayer("init").mayOnlyBeAccessedByLayers("api", "model", "spec", "nn", "optim")
            .whereLayer("tensor").mayOnlyBeAccessedByLayers("api", "model", "spec", "nn", "init", "optim", "formats");

    @ArchTest
    static final ArchRule engineHasNoFramework = noClasses()
            .that().resideInAnyPackage("io.paramlab.tensor..", "io.paramlab.nn..", "io.paramlab.init..",
                    "io.paramlab.optim..", "io.paramlab.formats..")
            .should().dependOnClassesThat().resideInAnyPackage("org.springframework..", "tools.jackson..", "com.fasterxml..");
}
