# Reference checksums for io.paramlab.tensor.ConvolutionTest: /usr/bin/python3 scripts/conv_reference.py (PyTorch 1.13)
import torch, torch.nn.functional as F
torch.set_default_dtype(torch.float32)
def grid(shape, a, b):  # deterministic values on a grid of 1/8
    n = 1
    for s in shape: n *= s
    return torch.tensor([((i * a) % b - b // 2) / 8.0 for i in range(n)], dtype=torch.float32).reshape(shape)
def coef(n):
    return torch.tensor([((i * 37) % 17 - 8) / 8.0 for i in range(n)], dtype=torch.float64)
def cs(t):
    t = t.detach().double().reshape(-1)
    return float((t * coef(t.numel())).sum())
def case(name, f, *tensors):
    ts = [t.clone().requires_grad_(True) for t in tensors]
    y = f(*ts)
    g = coef(y.numel()).float().reshape(y.shape)
    (y * g).sum().backward()
    print(f'{name}: shape={list(y.shape)} y={cs(y)!r} ' + ' '.join(f'd{i}={cs(t.grad)!r}' for i, t in enumerate(ts)))
x = grid([2,4,7,6], 7, 13); w = grid([6,2,3,2], 5, 11); b = grid([6], 3, 7)
case('conv2d_groups', lambda x,w,b: F.conv2d(x,w,b,stride=(2,1),padding=(1,2),dilation=(1,2),groups=2), x, w, b)
x = grid([2,3,6,6], 7, 13); w = grid([6,1,3,3], 5, 11); b = grid([6], 3, 7)
case('conv2d_depthwise', lambda x,w,b: F.conv2d(x,w,b,stride=2,padding=1,groups=3), x, w, b)
# stride 1 (the depthwise path over the padded grid): dilation, channel multiplier 2, and 'same' (asymmetric) padding
x = grid([2,2,7,6], 7, 13); w = grid([4,1,3,4], 5, 11); b = grid([4], 3, 7)
case('conv2d_depthwise_stride1_same', lambda x,w,b: F.conv2d(x,w,b,padding='same',dilation=(2,1),groups=2), x, w, b)
x = grid([3,3,9,9], 7, 13); w = grid([3,1,3,3], 5, 11)
case('conv2d_depthwise_stride1', lambda x,w: F.conv2d(x,w,padding=1,groups=3), x, w)
x = grid([2,4,5,5], 7, 13); w = grid([3,4,1,1], 5, 11)
case('conv2d_pointwise', lambda x,w: F.conv2d(x,w), x, w)
x = grid([2,3,9], 7, 13); w = grid([4,3,4], 5, 11); b = grid([4], 3, 7)
case('conv1d_same', lambda x,w,b: F.conv1d(x,w,b,padding='same',dilation=1), x, w, b)
x = grid([3,9], 7, 13); w = grid([4,3,3], 5, 11)
case('conv1d_unbatched', lambda x,w: F.conv1d(x,w,stride=2,padding=1), x, w)
x = grid([2,3,20,20], 7, 13); w = grid([8,3,3,3], 5, 11); b = grid([8], 3, 7)
case('conv2d_large', lambda x,w,b: F.conv2d(x,w,b,padding=1), x, w, b)
x = grid([1,2,3,4], 7, 13)
for mode in ['constant','reflect','replicate','circular']:
    case('pad_'+mode, lambda x: F.pad(x,(1,2,2,1),mode=mode) if mode!='constant' else F.pad(x,(1,2,2,1),value=0.5), x)
x = grid([2,2,7,7], 7, 13)
case('maxpool2d', lambda x: F.max_pool2d(x,3,stride=2,padding=1,ceil_mode=True), x)
x = grid([2,3,11], 7, 13)
case('maxpool1d_dilated', lambda x: F.max_pool1d(x,3,stride=2,padding=1,dilation=2), x)
x = grid([2,2,7,7], 7, 13)
case('avgpool2d_ceil_nopad', lambda x: F.avg_pool2d(x,3,stride=2,padding=1,ceil_mode=True,count_include_pad=False), x)
case('avgpool2d_pad_divisor', lambda x: F.avg_pool2d(x,(3,2),stride=(2,3),padding=1,divisor_override=2), x)
x = grid([2,3,7], 7, 13)
case('avgpool1d', lambda x: F.avg_pool1d(x,3,stride=2,padding=1), x)
x = grid([2,3,7,5], 7, 13)
case('adaptive_avg2d', lambda x: F.adaptive_avg_pool2d(x,(3,2)), x)
case('adaptive_max2d', lambda x: F.adaptive_max_pool2d(x,(3,None)), x)
x = grid([2,3,7], 7, 13)
case('adaptive_avg1d', lambda x: F.adaptive_avg_pool1d(x,4), x)
x = grid([3,2,3,3], 7, 13); w = grid([2], 3, 5); b = grid([2], 2, 5)
rm = torch.zeros(2); rv = torch.ones(2)
case('batchnorm2d_train', lambda x,w,b: F.batch_norm(x,rm,rv,w,b,training=True,momentum=0.1,eps=1e-5), x, w, b)
print('running', rm.tolist(), rv.tolist())
x = grid([2,4,3,3], 7, 13); w = grid([4], 3, 5); b = grid([4], 2, 5)
case('groupnorm', lambda x,w,b: F.group_norm(x,2,w,b,eps=1e-5), x, w, b)
x = grid([3,40], 7, 97) * 1.5
for name, f in [('relu6', F.relu6), ('silu', F.silu), ('hardswish', F.hardswish), ('hardsigmoid', F.hardsigmoid),
                ('mish', F.mish), ('elu', lambda t: F.elu(t, 0.5)), ('softplus', lambda t: F.softplus(t, 2, 3)),
                ('log_softmax', lambda t: F.log_softmax(t, 1))]:
    case(name, f, x)
