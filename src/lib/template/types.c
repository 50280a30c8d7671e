/* Docker's inspect types as the Debian docker.io 20.10.24 client
 * (/usr/bin/docker, API 1.41) decodes the daemon's JSON into them before it
 * runs a --format template: types.ImageInspect and types.ContainerJSON with
 * their parts.  Data only; typed.c walks it.
 *
 * How this was derived: each struct's field names, order and kinds were
 * read from moby's api/types (types.go, container/config.go,
 * container/host_config.go, network/, mount/, blkiodev/, strslice/,
 * go-connections/nat, go-units' Ulimit), then checked field by field
 * against that client itself: `docker inspect -f '{{.X}}'` (Go's %v, which
 * prints every field in declaration order, omitempty ones too) next to
 * `docker inspect -f '{{json .X}}'` (the JSON keys) on the image
 * the fixed image (tests/integration/lib/fixed_image.py) and on a container created with
 * `--network none` and many flags (-e -l -h -u -w -v --mount --tmpfs
 * --entrypoint --restart on-failure:3 --ulimit --device --device-read-bps
 * --dns --add-host --cap-add --memory --oom-kill-disable --pids-limit
 * --health-cmd --health-interval --stop-timeout --shm-size --sysctl
 * --log-opt --init --cpus --group-add --security-opt -p --expose
 * --mac-address).  Where moby's master differs from 20.10 (mount options,
 * HostConfig.Annotations, DeviceCgroupPermissions…) the client's output
 * decided.
 *
 * Kinds: every integer type (int, int64, uint16, uint64) prints alike and
 * is GO_INT; named string types (NetworkMode, mount.Type…) are GO_STRING;
 * os.FileMode (TmpfsOptions.Mode) is kept as GO_INT (Go would print it as
 * -rwxr-xr-x).  A field's json name is given where its tag renames it. */
#include <string.h>

#include "template/internal.h"

#define N(a) (sizeof(a) / sizeof *(a))
#define STRUCT(var, gname, list)                                                                   \
  static const go_type var                                                                         \
      = { .kind = GO_STRUCT, .name = gname, .fields = list, .n_fields = N(list) }
#define PTR(var, gname, to)                                                                        \
  static const go_type var = { .kind = GO_PTR, .name = gname, .elem = &to }
#define SLICE(var, gname, of)                                                                      \
  static const go_type var = { .kind = GO_SLICE, .name = gname, .elem = &of }
#define MAP(var, gname, of)                                                                        \
  static const go_type var = { .kind = GO_MAP, .name = gname, .elem = &of }
/* a map keyed by nat.Port: a template's string is no key of it */
#define PORT_MAP(var, gname, of)                                                                   \
  static const go_type var = { .kind = GO_MAP, .name = gname, .elem = &of, .named_key = true }
#define F(go, type)                                                                                \
  {                                                                                                \
    go, NULL, type, false                                                                          \
  }
/* a field whose json tag renames it */
#define TAGGED(go, js, type)                                                                       \
  {                                                                                                \
    go, js, type, false                                                                            \
  }
#define EMBED(type)                                                                                \
  {                                                                                                \
    NULL, NULL, type, true                                                                         \
  }

static const go_type t_string = { .kind = GO_STRING, .name = "string" };
static const go_type t_bool = { .kind = GO_BOOL, .name = "bool" };
static const go_type t_int = { .kind = GO_INT, .name = "int" };
static const go_type t_duration = { .kind = GO_DURATION, .name = "time.Duration" };
static const go_type t_time = { .kind = GO_TIME, .name = "time.Time" };
static const go_type t_empty = { .kind = GO_EMPTY, .name = "struct {}" };
SLICE(t_strings, "[]string", t_string);
SLICE(t_strslice, "strslice.StrSlice", t_string);
SLICE(t_stringss, "[][]string", t_strings);
SLICE(t_uints, "[2]uint", t_int);
MAP(t_string_map, "map[string]string", t_string);
MAP(t_volume_set, "map[string]struct {}", t_empty);
PORT_MAP(t_port_set, "nat.PortSet", t_empty);
PTR(t_int_ptr, "*int", t_int);
PTR(t_int64_ptr, "*int64", t_int);
PTR(t_bool_ptr, "*bool", t_bool);

/* ---- container.Config ---------------------------------------------------- */

static const go_field f_health_config[] = {
  F("Test", &t_strings),         F("Interval", &t_duration), F("Timeout", &t_duration),
  F("StartPeriod", &t_duration), F("Retries", &t_int),
};
STRUCT(t_health_config, "container.HealthConfig", f_health_config);
PTR(t_health_config_ptr, "*container.HealthConfig", t_health_config);

static const go_field f_config[] = {
  F("Hostname", &t_string),
  F("Domainname", &t_string),
  F("User", &t_string),
  F("AttachStdin", &t_bool),
  F("AttachStdout", &t_bool),
  F("AttachStderr", &t_bool),
  F("ExposedPorts", &t_port_set),
  F("Tty", &t_bool),
  F("OpenStdin", &t_bool),
  F("StdinOnce", &t_bool),
  F("Env", &t_strings),
  F("Cmd", &t_strslice),
  F("Healthcheck", &t_health_config_ptr),
  F("ArgsEscaped", &t_bool),
  F("Image", &t_string),
  F("Volumes", &t_volume_set),
  F("WorkingDir", &t_string),
  F("Entrypoint", &t_strslice),
  F("NetworkDisabled", &t_bool),
  F("MacAddress", &t_string),
  F("OnBuild", &t_strings),
  F("Labels", &t_string_map),
  F("StopSignal", &t_string),
  F("StopTimeout", &t_int_ptr),
  F("Shell", &t_strslice),
};
STRUCT(t_config, "container.Config", f_config);
PTR(t_config_ptr, "*container.Config", t_config);

/* ---- the image ------------------------------------------------------------ */

static const go_field f_graph_driver[] = { F("Data", &t_string_map), F("Name", &t_string) };
STRUCT(t_graph_driver, "types.GraphDriverData", f_graph_driver);

static const go_field f_rootfs[]
    = { F("Type", &t_string), F("Layers", &t_strings), F("BaseLayer", &t_string) };
STRUCT(t_rootfs, "types.RootFS", f_rootfs);

static const go_field f_image_metadata[] = { F("LastTagTime", &t_time) };
STRUCT(t_image_metadata, "types.ImageMetadata", f_image_metadata);

static const go_field f_image[] = {
  TAGGED("ID", "Id", &t_string), F("RepoTags", &t_strings),
  F("RepoDigests", &t_strings),  F("Parent", &t_string),
  F("Comment", &t_string),       F("Created", &t_string),
  F("Container", &t_string),     F("ContainerConfig", &t_config_ptr),
  F("DockerVersion", &t_string), F("Author", &t_string),
  F("Config", &t_config_ptr),    F("Architecture", &t_string),
  F("Variant", &t_string),       F("Os", &t_string),
  F("OsVersion", &t_string),     F("Size", &t_int),
  F("VirtualSize", &t_int),      F("GraphDriver", &t_graph_driver),
  F("RootFS", &t_rootfs),        F("Metadata", &t_image_metadata),
};
STRUCT(t_image, "types.ImageInspect", f_image);

/* ---- the container's state ------------------------------------------------ */

static const go_field f_health_result[] = {
  F("Start", &t_time),
  F("End", &t_time),
  F("ExitCode", &t_int),
  F("Output", &t_string),
};
STRUCT(t_health_result, "types.HealthcheckResult", f_health_result);
PTR(t_health_result_ptr, "*types.HealthcheckResult", t_health_result);
SLICE(t_health_results, "[]*types.HealthcheckResult", t_health_result_ptr);

static const go_field f_health[] = {
  F("Status", &t_string),
  F("FailingStreak", &t_int),
  F("Log", &t_health_results),
};
STRUCT(t_health, "types.Health", f_health);
PTR(t_health_ptr, "*types.Health", t_health);

static const go_field f_state[] = {
  F("Status", &t_string),    F("Running", &t_bool),      F("Paused", &t_bool),
  F("Restarting", &t_bool),  F("OOMKilled", &t_bool),    F("Dead", &t_bool),
  F("Pid", &t_int),          F("ExitCode", &t_int),      F("Error", &t_string),
  F("StartedAt", &t_string), F("FinishedAt", &t_string), F("Health", &t_health_ptr),
};
STRUCT(t_state, "types.ContainerState", f_state);
PTR(t_state_ptr, "*types.ContainerState", t_state);

static const go_field f_node[] = {
  F("ID", &t_string),         TAGGED("IPAddress", "IP", &t_string),
  F("Addr", &t_string),       F("Name", &t_string),
  F("Cpus", &t_int),          F("Memory", &t_int),
  F("Labels", &t_string_map),
};
STRUCT(t_node, "types.ContainerNode", f_node);
PTR(t_node_ptr, "*types.ContainerNode", t_node);

/* ---- container.HostConfig -------------------------------------------------- */

static const go_field f_log_config[] = { F("Type", &t_string), F("Config", &t_string_map) };
STRUCT(t_log_config, "container.LogConfig", f_log_config);

static const go_field f_port_binding[]
    = { TAGGED("HostIP", "HostIp", &t_string), F("HostPort", &t_string) };
STRUCT(t_port_binding, "nat.PortBinding", f_port_binding);
SLICE(t_port_bindings, "[]nat.PortBinding", t_port_binding);
PORT_MAP(t_port_map, "nat.PortMap", t_port_bindings);

static const go_field f_restart_policy[] = { F("Name", &t_string), F("MaximumRetryCount", &t_int) };
STRUCT(t_restart_policy, "container.RestartPolicy", f_restart_policy);

/* String() methods Go calls when it prints these pointers: {N} is field N */
static const go_field f_weight_device[] = { F("Path", &t_string), F("Weight", &t_int) };
STRUCT(t_weight_device, "blkiodev.WeightDevice", f_weight_device);
static const go_type t_weight_device_ptr = {
  .kind = GO_PTR, .name = "*blkiodev.WeightDevice", .elem = &t_weight_device, .stringer = "{0}:{1}"
};
SLICE(t_weight_devices, "[]*blkiodev.WeightDevice", t_weight_device_ptr);
static const go_field f_throttle_device[] = { F("Path", &t_string), F("Rate", &t_int) };
STRUCT(t_throttle_device, "blkiodev.ThrottleDevice", f_throttle_device);
static const go_type t_throttle_device_ptr = { .kind = GO_PTR,
                                               .name = "*blkiodev.ThrottleDevice",
                                               .elem = &t_throttle_device,
                                               .stringer = "{0}:{1}" };
SLICE(t_throttle_devices, "[]*blkiodev.ThrottleDevice", t_throttle_device_ptr);
static const go_field f_ulimit[] = { F("Name", &t_string), F("Hard", &t_int), F("Soft", &t_int) };
STRUCT(t_ulimit, "units.Ulimit", f_ulimit);
static const go_type t_ulimit_ptr
    = { .kind = GO_PTR, .name = "*units.Ulimit", .elem = &t_ulimit, .stringer = "{0}={2}:{1}" };
SLICE(t_ulimits, "[]*units.Ulimit", t_ulimit_ptr);

static const go_field f_device_mapping[]
    = { F("PathOnHost", &t_string), F("PathInContainer", &t_string),
        F("CgroupPermissions", &t_string) };
STRUCT(t_device_mapping, "container.DeviceMapping", f_device_mapping);
SLICE(t_device_mappings, "[]container.DeviceMapping", t_device_mapping);

static const go_field f_device_request[] = {
  F("Driver", &t_string),         F("Count", &t_int),          F("DeviceIDs", &t_strings),
  F("Capabilities", &t_stringss), F("Options", &t_string_map),
};
STRUCT(t_device_request, "container.DeviceRequest", f_device_request);
SLICE(t_device_requests, "[]container.DeviceRequest", t_device_request);

static const go_field f_resources[] = {
  TAGGED("CPUShares", "CpuShares", &t_int),
  F("Memory", &t_int),
  TAGGED("NanoCPUs", "NanoCpus", &t_int),
  F("CgroupParent", &t_string),
  F("BlkioWeight", &t_int),
  F("BlkioWeightDevice", &t_weight_devices),
  F("BlkioDeviceReadBps", &t_throttle_devices),
  F("BlkioDeviceWriteBps", &t_throttle_devices),
  F("BlkioDeviceReadIOps", &t_throttle_devices),
  F("BlkioDeviceWriteIOps", &t_throttle_devices),
  TAGGED("CPUPeriod", "CpuPeriod", &t_int),
  TAGGED("CPUQuota", "CpuQuota", &t_int),
  TAGGED("CPURealtimePeriod", "CpuRealtimePeriod", &t_int),
  TAGGED("CPURealtimeRuntime", "CpuRealtimeRuntime", &t_int),
  F("CpusetCpus", &t_string),
  F("CpusetMems", &t_string),
  F("Devices", &t_device_mappings),
  F("DeviceCgroupRules", &t_strings),
  F("DeviceRequests", &t_device_requests),
  F("KernelMemory", &t_int),
  F("KernelMemoryTCP", &t_int),
  F("MemoryReservation", &t_int),
  F("MemorySwap", &t_int),
  F("MemorySwappiness", &t_int64_ptr),
  F("OomKillDisable", &t_bool_ptr),
  F("PidsLimit", &t_int64_ptr),
  F("Ulimits", &t_ulimits),
  TAGGED("CPUCount", "CpuCount", &t_int),
  TAGGED("CPUPercent", "CpuPercent", &t_int),
  F("IOMaximumIOps", &t_int),
  F("IOMaximumBandwidth", &t_int),
};
STRUCT(t_resources, "container.Resources", f_resources);

static const go_field f_bind_options[]
    = { F("Propagation", &t_string), F("NonRecursive", &t_bool) };
STRUCT(t_bind_options, "mount.BindOptions", f_bind_options);
PTR(t_bind_options_ptr, "*mount.BindOptions", t_bind_options);
static const go_field f_driver[] = { F("Name", &t_string), F("Options", &t_string_map) };
STRUCT(t_driver, "mount.Driver", f_driver);
PTR(t_driver_ptr, "*mount.Driver", t_driver);
static const go_field f_volume_options[]
    = { F("NoCopy", &t_bool), F("Labels", &t_string_map), F("DriverConfig", &t_driver_ptr) };
STRUCT(t_volume_options, "mount.VolumeOptions", f_volume_options);
PTR(t_volume_options_ptr, "*mount.VolumeOptions", t_volume_options);
static const go_field f_tmpfs_options[] = { F("SizeBytes", &t_int), F("Mode", &t_int) };
STRUCT(t_tmpfs_options, "mount.TmpfsOptions", f_tmpfs_options);
PTR(t_tmpfs_options_ptr, "*mount.TmpfsOptions", t_tmpfs_options);

static const go_field f_mount[] = {
  F("Type", &t_string),
  F("Source", &t_string),
  F("Target", &t_string),
  F("ReadOnly", &t_bool),
  F("Consistency", &t_string),
  F("BindOptions", &t_bind_options_ptr),
  F("VolumeOptions", &t_volume_options_ptr),
  F("TmpfsOptions", &t_tmpfs_options_ptr),
};
STRUCT(t_mount, "mount.Mount", f_mount);
SLICE(t_mounts, "[]mount.Mount", t_mount);

static const go_field f_host_config[] = {
  F("Binds", &t_strings),
  F("ContainerIDFile", &t_string),
  F("LogConfig", &t_log_config),
  F("NetworkMode", &t_string),
  F("PortBindings", &t_port_map),
  F("RestartPolicy", &t_restart_policy),
  F("AutoRemove", &t_bool),
  F("VolumeDriver", &t_string),
  F("VolumesFrom", &t_strings),
  F("CapAdd", &t_strslice),
  F("CapDrop", &t_strslice),
  F("CgroupnsMode", &t_string),
  TAGGED("DNS", "Dns", &t_strings),
  TAGGED("DNSOptions", "DnsOptions", &t_strings),
  TAGGED("DNSSearch", "DnsSearch", &t_strings),
  F("ExtraHosts", &t_strings),
  F("GroupAdd", &t_strings),
  F("IpcMode", &t_string),
  F("Cgroup", &t_string),
  F("Links", &t_strings),
  F("OomScoreAdj", &t_int),
  F("PidMode", &t_string),
  F("Privileged", &t_bool),
  F("PublishAllPorts", &t_bool),
  F("ReadonlyRootfs", &t_bool),
  F("SecurityOpt", &t_strings),
  F("StorageOpt", &t_string_map),
  F("Tmpfs", &t_string_map),
  F("UTSMode", &t_string),
  F("UsernsMode", &t_string),
  F("ShmSize", &t_int),
  F("Sysctls", &t_string_map),
  F("Runtime", &t_string),
  F("ConsoleSize", &t_uints),
  F("Isolation", &t_string),
  EMBED(&t_resources),
  F("Mounts", &t_mounts),
  F("MaskedPaths", &t_strings),
  F("ReadonlyPaths", &t_strings),
  F("Init", &t_bool_ptr),
};
STRUCT(t_host_config, "container.HostConfig", f_host_config);
PTR(t_host_config_ptr, "*container.HostConfig", t_host_config);

/* ---- mounts and networks ---------------------------------------------------- */

static const go_field f_mount_point[] = {
  F("Type", &t_string),   F("Name", &t_string), F("Source", &t_string), F("Destination", &t_string),
  F("Driver", &t_string), F("Mode", &t_string), F("RW", &t_bool),       F("Propagation", &t_string),
};
STRUCT(t_mount_point, "types.MountPoint", f_mount_point);
SLICE(t_mount_points, "[]types.MountPoint", t_mount_point);

static const go_field f_address[] = { F("Addr", &t_string), F("PrefixLen", &t_int) };
STRUCT(t_address, "network.Address", f_address);
SLICE(t_addresses, "[]network.Address", t_address);

static const go_field f_ipam_config[]
    = { F("IPv4Address", &t_string), F("IPv6Address", &t_string), F("LinkLocalIPs", &t_strings) };
STRUCT(t_ipam_config, "network.EndpointIPAMConfig", f_ipam_config);
PTR(t_ipam_config_ptr, "*network.EndpointIPAMConfig", t_ipam_config);

static const go_field f_endpoint[] = {
  F("IPAMConfig", &t_ipam_config_ptr),
  F("Links", &t_strings),
  F("Aliases", &t_strings),
  F("NetworkID", &t_string),
  F("EndpointID", &t_string),
  F("Gateway", &t_string),
  F("IPAddress", &t_string),
  F("IPPrefixLen", &t_int),
  F("IPv6Gateway", &t_string),
  F("GlobalIPv6Address", &t_string),
  F("GlobalIPv6PrefixLen", &t_int),
  F("MacAddress", &t_string),
  F("DriverOpts", &t_string_map),
};
STRUCT(t_endpoint, "network.EndpointSettings", f_endpoint);
PTR(t_endpoint_ptr, "*network.EndpointSettings", t_endpoint);
MAP(t_endpoints, "map[string]*network.EndpointSettings", t_endpoint_ptr);

static const go_field f_network_base[] = {
  F("Bridge", &t_string),
  F("SandboxID", &t_string),
  F("HairpinMode", &t_bool),
  F("LinkLocalIPv6Address", &t_string),
  F("LinkLocalIPv6PrefixLen", &t_int),
  F("Ports", &t_port_map),
  F("SandboxKey", &t_string),
  F("SecondaryIPAddresses", &t_addresses),
  F("SecondaryIPv6Addresses", &t_addresses),
};
STRUCT(t_network_base, "types.NetworkSettingsBase", f_network_base);

static const go_field f_network_default[] = {
  F("EndpointID", &t_string),       F("Gateway", &t_string),    F("GlobalIPv6Address", &t_string),
  F("GlobalIPv6PrefixLen", &t_int), F("IPAddress", &t_string),  F("IPPrefixLen", &t_int),
  F("IPv6Gateway", &t_string),      F("MacAddress", &t_string),
};
STRUCT(t_network_default, "types.DefaultNetworkSettings", f_network_default);

static const go_field f_network_settings[] = {
  EMBED(&t_network_base),
  EMBED(&t_network_default),
  F("Networks", &t_endpoints),
};
STRUCT(t_network_settings, "types.NetworkSettings", f_network_settings);
PTR(t_network_settings_ptr, "*types.NetworkSettings", t_network_settings);

/* ---- the container ------------------------------------------------------------ */

static const go_field f_container_base[] = {
  TAGGED("ID", "Id", &t_string),
  F("Created", &t_string),
  F("Path", &t_string),
  F("Args", &t_strings),
  F("State", &t_state_ptr),
  F("Image", &t_string),
  F("ResolvConfPath", &t_string),
  F("HostnamePath", &t_string),
  F("HostsPath", &t_string),
  F("LogPath", &t_string),
  F("Node", &t_node_ptr),
  F("Name", &t_string),
  F("RestartCount", &t_int),
  F("Driver", &t_string),
  F("Platform", &t_string),
  F("MountLabel", &t_string),
  F("ProcessLabel", &t_string),
  F("AppArmorProfile", &t_string),
  F("ExecIDs", &t_strings),
  F("HostConfig", &t_host_config_ptr),
  F("GraphDriver", &t_graph_driver),
  F("SizeRw", &t_int64_ptr),
  F("SizeRootFs", &t_int64_ptr),
};
STRUCT(t_container_base, "types.ContainerJSONBase", f_container_base);
PTR(t_container_base_ptr, "*types.ContainerJSONBase", t_container_base);

static const go_field f_container[] = {
  EMBED(&t_container_base_ptr),
  F("Mounts", &t_mount_points),
  F("Config", &t_config_ptr),
  F("NetworkSettings", &t_network_settings_ptr),
};
STRUCT(t_container, "types.ContainerJSON", f_container);

const go_type *
tmpl_go_type(const char *name)
{
  static const go_type *const roots[] = { &t_image, &t_container };
  for (size_t i = 0; name != NULL && i < N(roots); i++)
    if (strcmp(roots[i]->name, name) == 0)
      return roots[i];
  return NULL;
}
