package io.adapterops.service.registry;

/** An adapter version as people name it: {@code support-bot-lora} version 3. */
public record VersionRef(Adapter adapter, AdapterVersion version) {
    public String subject() {
        return subject(adapter.name(), version.number());
    }

    public static String subject(String adapter, int number) {
        return "adapter:" + adapter + ":v" + number;
    }
}
