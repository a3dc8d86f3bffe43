/**
 * Models that ship as Maven artifacts, found by name. The MiniLM files are resources at the root of LangChain4j's
 * model jar, which has no module name of its own and no class this module uses, so it is not required here:
 * keep that jar on the class path (Maven does, for a jar no module requires), where BundledModels finds its
 * resources whether this module is on the module path or the class path.
 */
module dev.octet.models {
    exports dev.octet.models;
}
