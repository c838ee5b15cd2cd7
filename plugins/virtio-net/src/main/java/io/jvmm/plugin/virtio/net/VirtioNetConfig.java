package io.jvmm.plugin.virtio.net;

import io.jvmm.spi.config.ConfigException;
import io.jvmm.spi.config.Properties;
import java.util.HexFormat;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The properties of one {@code -device virtio-net-pci}, QEMU's names and meanings.
 *
 * @param mac the station address
 * @param mq offer VIRTIO_NET_F_MQ (one queue pair per backend queue)
 * @param vectors MSI-X vectors; empty means QEMU's default 2 * queues + 2
 * @param disableLegacy "on", "off" or "auto" (auto: legacy interface kept, as on a PCI bus)
 * @param devfn slot << 3 | function from {@code addr=}, or -1 for the first free slot
 * @param bus the bus id
 * @param netdev the backend id
 * @param localMigration the seed's opt-in to hand the backend's descriptors over in local migration
 * @param hostMtu offer VIRTIO_NET_F_MTU with this MTU; empty for none
 */
public record VirtioNetConfig(
        byte[] mac,
        boolean mq,
        OptionalInt vectors,
        String disableLegacy,
        int devfn,
        String bus,
        String netdev,
        boolean localMigration,
        OptionalInt hostMtu) {

    /** QEMU's first default MAC (qemu_macaddr_default_if_unset); later NICs count up the last byte. */
    static final byte[] DEFAULT_MAC = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};

    public boolean legacyInterface() {
        return !"on".equals(disableLegacy);
    }

    /** Builds the config from validated properties; {@code nicIndex} picks the default MAC. */
    public static VirtioNetConfig from(Properties p, int nicIndex) {
        byte[] mac = p.optionalString("mac").map(VirtioNetConfig::parseMac).orElseGet(() -> {
            byte[] m = DEFAULT_MAC.clone();
            m[5] = (byte) (m[5] + nicIndex);
            return m;
        });
        boolean mq = p.optionalBool("mq").orElse(false);
        OptionalInt vectors = OptionalInt.empty();
        Optional<Long> v = p.optionalInteger("vectors");
        if (v.isPresent()) {
            if (v.get() < 0 || v.get() > 2048) {
                throw new ConfigException("vectors: " + v.get() + " is outside 0..2048");
            }
            vectors = OptionalInt.of(v.get().intValue());
        }
        String romfile = p.optionalString("romfile").orElse("");
        if (!romfile.isEmpty()) {
            throw new ConfigException("romfile: option ROMs are not supported (got '" + romfile
                    + "'); leave it empty (romfile=) for no ROM");
        }
        String disableLegacy = p.optionalString("disable-legacy").orElse("auto");
        if (!disableLegacy.equals("on") && !disableLegacy.equals("off") && !disableLegacy.equals("auto")) {
            throw new ConfigException("disable-legacy: expected on, off or auto, got '" + disableLegacy + "'");
        }
        int devfn = p.optionalString("addr").map(VirtioNetConfig::parseAddr).orElse(-1);
        String bus = p.optionalString("bus").orElse("pcie.0");
        String netdev = p.optionalString("netdev").orElseThrow(() -> new ConfigException(
                "netdev: required; name the backend with netdev=ID (for example -netdev tap,id=ID)"));
        boolean localMigration = p.optionalBool("local-migration").orElse(false);
        OptionalInt hostMtu = OptionalInt.empty();
        Optional<Long> mtu = p.optionalInteger("host_mtu");
        if (mtu.isPresent() && mtu.get() != 0) {
            if (mtu.get() < 68 || mtu.get() > 65535) {
                throw new ConfigException("host_mtu: " + mtu.get() + " is outside 68..65535");
            }
            hostMtu = OptionalInt.of(mtu.get().intValue());
        }
        return new VirtioNetConfig(mac, mq, vectors, disableLegacy, devfn, bus, netdev, localMigration, hostMtu);
    }

    /** "52:54:00:12:34:56"; a multicast address cannot be a station address. */
    static byte[] parseMac(String s) {
        String[] parts = s.split("[:-]", -1);
        if (parts.length != 6) {
            throw new ConfigException("mac: '" + s + "' is not six hex bytes like 52:54:00:12:34:56");
        }
        byte[] mac = new byte[6];
        for (int i = 0; i < 6; i++) {
            if (parts[i].length() != 2) {
                throw new ConfigException("mac: '" + s + "' is not six hex bytes like 52:54:00:12:34:56");
            }
            try {
                mac[i] = (byte) HexFormat.fromHexDigits(parts[i]);
            } catch (IllegalArgumentException e) {
                throw new ConfigException("mac: '" + s + "' is not six hex bytes like 52:54:00:12:34:56");
            }
        }
        if ((mac[0] & 1) != 0) {
            throw new ConfigException("mac: '" + s + "' is a multicast address; a NIC needs a unicast one");
        }
        return mac;
    }

    /** QEMU's addr=: "SLOT" or "SLOT.FN", hex, slot 0..31, function 0..7. */
    static int parseAddr(String s) {
        String[] parts = s.split("\\.", -1);
        try {
            if (parts.length > 2) {
                throw new NumberFormatException();
            }
            int slot = Integer.parseInt(strip0x(parts[0]), 16);
            int fn = parts.length == 2 ? Integer.parseInt(strip0x(parts[1]), 16) : 0;
            if (slot < 0 || slot > 31 || fn < 0 || fn > 7) {
                throw new ConfigException("addr: '" + s + "' is out of range (slot 0..1f, function 0..7)");
            }
            return slot << 3 | fn;
        } catch (NumberFormatException e) {
            throw new ConfigException("addr: '" + s + "' is not SLOT or SLOT.FUNCTION in hex, like 3 or 0x3.0");
        }
    }

    private static String strip0x(String s) {
        return s.startsWith("0x") || s.startsWith("0X") ? s.substring(2) : s;
    }

    public static String formatMac(byte[] mac) {
        return HexFormat.ofDelimiter(":").formatHex(mac);
    }
}
