/** Python script for the oracle venv: reads run dirs with TensorBoard's EventAccumulator, prints one JSON. */
export const READ_WITH_EVENT_ACCUMULATOR = String.raw`
import sys, json, io, math
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator, STORE_EVERYTHING_SIZE_GUIDANCE
from tensorboard.util import tensor_util
from tensorboard.plugins.hparams import plugin_data_pb2
from PIL import Image

def num(x):
    x = float(x)
    if math.isnan(x): return 'NaN'
    if math.isinf(x): return 'Infinity' if x > 0 else '-Infinity'
    return x

def pyval(v):
    k = v.WhichOneof('kind')
    return v.number_value if k == 'number_value' else v.string_value if k == 'string_value' else v.bool_value if k == 'bool_value' else None

out = {}
for run in sys.argv[1:]:
    acc = EventAccumulator(run, size_guidance=STORE_EVERYTHING_SIZE_GUIDANCE)
    acc.Reload()
    tags = acc.Tags()
    r = {'file_version': acc.file_version, 'writer': acc.GetSourceWriter(), 'scalars': {}, 'histograms': {}, 'images': {}, 'tensors': {}, 'hparams': {}}
    for t in tags['scalars']:
        r['scalars'][t] = [[e.step, num(e.value), e.wall_time] for e in acc.Scalars(t)]
    for t in tags['histograms']:
        r['histograms'][t] = [{'step': e.step, 'min': h.min, 'max': h.max, 'num': h.num, 'sum': h.sum, 'sum_squares': h.sum_squares,
                               'limits': list(h.bucket_limit), 'counts': list(h.bucket)} for e in acc.Histograms(t) for h in [e.histogram_value]]
    for t in tags['images']:
        r['images'][t] = []
        for e in acc.Images(t):
            im = Image.open(io.BytesIO(e.encoded_image_string))
            r['images'][t].append({'step': e.step, 'width': e.width, 'height': e.height, 'mode': im.mode, 'size': list(im.size), 'pixels': list(im.tobytes())})
    for t in tags['tensors']:
        plugin = acc.SummaryMetadata(t).plugin_data.plugin_name
        vals = []
        for e in acc.Tensors(t):
            arr = tensor_util.make_ndarray(e.tensor_proto)
            if arr.dtype.kind in 'OSU':
                v = arr.item().decode() if arr.ndim == 0 else [x.decode() for x in arr.flatten()]
            else:
                v = [num(x) for x in arr.flatten()]
            vals.append({'step': e.step, 'value': v, 'shape': list(arr.shape)})
        r['tensors'][t] = {'plugin': plugin, 'values': vals}
    try:
        hp = acc.PluginTagToContent('hparams')
    except KeyError:
        hp = {}
    for t, c in hp.items():
        d = plugin_data_pb2.HParamsPluginData.FromString(c)
        which = d.WhichOneof('data')
        if which == 'session_start_info':
            r['hparams'][t] = {k: pyval(v) for k, v in d.session_start_info.hparams.items()}
        elif which == 'session_end_info':
            r['hparams'][t] = {'status': d.session_end_info.status}
        elif which == 'experiment':
            r['hparams'][t] = {'hparams': [h.name for h in d.experiment.hparam_infos], 'metrics': [m.name.tag for m in d.experiment.metric_infos]}
    out[run] = r
print(json.dumps(out))
`;

export interface AccRun {
  file_version: number;
  writer: string;
  scalars: Record<string, [number, number | string, number][]>;
  histograms: Record<string, { step: number; min: number; max: number; num: number; sum: number; sum_squares: number; limits: number[]; counts: number[] }[]>;
  images: Record<string, { step: number; width: number; height: number; mode: string; size: number[]; pixels: number[] }[]>;
  tensors: Record<string, { plugin: string; values: { step: number; value: string | (number | string)[]; shape: number[] }[] }>;
  hparams: Record<string, Record<string, unknown>>;
}

/** Parses TensorBoard's JSON, which may hold bare NaN / Infinity / -Infinity, mapping them to strings. */
export function parseTbJson<T>(text: string): T {
  return JSON.parse(text.replace(/(?<=[[,:\s])(NaN|-?Infinity)(?=[\],}\s])/g, '"$1"')) as T;
}
