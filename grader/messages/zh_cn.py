"""Simplified Chinese (zh-CN) feedback: English message (the key, as written in the code) ->
its translation, with the same ``{placeholders}``. Terms follow i18n/zh/glossary.md.

tests/test_messages.py fails on a marked message missing here, on an entry no code uses, and
on an entry whose placeholders differ from its key's.
"""

CATALOG: dict[str, str] = {
    # grader/core.py: the verdict check() prints, and a question's label
    "{name} ({title}): {verdict}\n  {reason}": "{name}（{title}）：{verdict}\n  {reason}",
    "passed": "通过",
    "not answered yet": "尚未作答",
    "FAILED": "未通过",
    "passed: ": "通过：",
    "not answered yet: ": "尚未作答：",
    "{name}: checked by the grader": "{name}：由评分程序检查",
    "{kind}, {points}, {stars}": "{kind}，{points}，{stars}",
    "{n} point": "{n} 分",
    "{n} points": "{n} 分",
    "warm-up": "热身",
    "implement": "实现",
    "debug": "调试",
    "predict": "预测",
    # grader/core.py: finding the exercise, the question and the student's definitions
    "exercise {id} has no question {name}: use one of {names}": (
        "练习 {id} 没有题目 {name}：请使用 {names} 之一"
    ),
    "unknown exercise {id}: known exercises are {known}": "未知的练习 {id}：已有的练习是 {known}",
    "the notebook does not define `{name}` (did its cell run without an error?)": (
        "notebook 没有定义 `{name}`（定义它的单元格是否已经运行且没有报错？）"
    ),
    # grader/core.py: running the student's code
    "your code changed its input {changed} in place: compute a new array (or copy the input "
    "first) instead of writing into the one you were given": (
        "你的代码原地修改了它的输入 {changed}：请计算一个新数组（或者先复制输入），"
        "不要写入传给你的那个数组"
    ),
    "it returned {what}": "它返回了 {what}",
    # grader/core.py: the verdict on a question
    "the grader got no readable answer for this question": "评分程序没有得到这道题可读的答案",
    "the answer could not be read ({error})": "无法读取答案（{error}）",
    "for {case}: {problem}": "对于{case}：{problem}",
    "every prediction is what PyTorch does": "每个预测都与 PyTorch 的行为一致",
    "agrees with PyTorch on {n} fresh random inputs": "在 {n} 组新的随机输入上与 PyTorch 一致",
    "your code failed": "你的代码运行失败",
    "{names} still raises NotImplementedError (replace the stub)": (
        "{names} 仍然抛出 NotImplementedError（请把待填部分换成你的代码）"
    ),
    "for {case}: your code gave a {kind} ({message}); this question asks for none (avoid the "
    "operation that warns, e.g. a division by 0 inside np.where: np.where evaluates both "
    "branches)": (
        "对于{case}：你的代码产生了 {kind}（{message}）；这道题要求不产生任何警告"
        "（避开引发警告的运算，"
        "例如 np.where 里的除以 0：np.where 会计算两个分支）"
    ),
    "for {case}: RecursionError ({message}); a graph this deep needs an iterative algorithm, "
    "not recursion": (
        "对于{case}：RecursionError（{message}）；这么深的计算图需要迭代算法，而不是递归"
    ),
    "for {case}: your code raised {kind}: {message}": (
        "对于{case}：你的代码抛出了 {kind}：{message}"
    ),
    # grader/core.py: comparing an answer with PyTorch's
    "the result": "结果",
    "{where} should have the entries {keys}": "{where} 应该包含这些条目：{keys}",
    "{where} is not what PyTorch does (yours is {yours})": (
        "{where} 与 PyTorch 的行为不一致（你的是 {yours}）"
    ),
    "{n} values": "{n} 个值",
    "a {kind}": "{kind}",
    "{where} should be {n} values, got {kind}": "{where} 应该是 {n} 个值，得到的却是 {kind}",
    "{where} should be a number, got a {kind}": "{where} 应该是一个数，得到的却是 {kind}",
    "{where}: PyTorch gives {want}, yours is {got}{off}": (
        "{where}：PyTorch 给出 {want}，你的是 {got}{off}"
    ),
    " (off by {off}; allowed {allowed})": "（相差 {off}；允许 {allowed}）",
    "; an exact answer is asked, not an estimate such as a finite difference": (
        "；这道题要求精确答案，而不是有限差分之类的估计值"
    ),
    "{where} should be a numpy array of shape {shape}, got a {kind}": (
        "{where} 应该是形状为 {shape} 的 numpy 数组，得到的却是 {kind}"
    ),
    "{where} has shape {got}, PyTorch's has shape {want}": (
        "{where} 的形状是 {got}，PyTorch 的形状是 {want}"
    ),
    "{where} has dtype {got}, expected {want} (compute in the input's dtype: a numpy float64 "
    "constant such as np.log(2) turns float32 into float64)": (
        "{where} 的 dtype 是 {got}，应为 {want}（请按输入的 dtype 计算：像 np.log(2) 这样的 numpy "
        "float64 常数会把 float32 变成 float64）"
    ),
    "{where} has dtype {got}, expected numbers": "{where} 的 dtype 是 {got}，应为数值",
    "{where} differs from PyTorch at index {index}: PyTorch gives {want}, yours is {got}{off}; "
    "PyTorch's whole answer is {whole_want}, yours is {whole_got}{layout}": (
        "{where} 在下标 {index} 处与 PyTorch 不同：PyTorch 给出 {want}，你的是 {got}{off}；"
        "PyTorch 的完整答案是 {whole_want}，你的是 {whole_got}{layout}"
    ),
    "input {values}": "输入 {values}",
    "the input": "该输入",
    "array of shape {shape}": "形状为 {shape} 的数组",
    # grader/sandbox.py: when the graded notebook's process stops, hangs or fails
    "the grading process stopped": "评分进程停止了",
    "while running your code for it": "（发生在运行你为这道题写的代码时）",
    "on case {number} of {count}, {case}": (
        "（发生在第 {number} 个测试用例上，共 {count} 个；{case}）"
    ),
    "the grading process failed to start ({why}): {tail}": "评分进程没能启动（{why}）：{tail}",
    "{cell} was skipped: {why} while it ran": "{cell} 被跳过了：运行它时，{why}",
    "{cell} raised {error}": "{cell} 抛出了 {error}",
    "the grading process stopped before it reached this question": (
        "评分进程在运行到这道题之前就停止了"
    ),
    "code cell {number} (`{first}`)": "第 {number} 个代码单元格（`{first}`）",
    "it ran longer than the {s} s time limit": "它的运行时间超过了 {s} 秒的时限",
    "it ran longer than the {s} s limit per case": ("它的运行时间超过了每个测试用例 {s} 秒的时限"),
    "it sent more than {mb} MB of results": "它发送的结果超过了 {mb} MB",
    "it used too much CPU time": "它占用的 CPU 时间太多",
    "it was killed": "它被强行终止了",
    "the process was killed by {name}": "进程被 {name} 终止了",
    "it ended the grading process (exit status {status}, e.g. os._exit)": (
        "它结束了评分进程（退出状态 {status}，例如调用了 os._exit）"
    ),
    # grader/ex01_chain_rule.py
    "Derivatives and the chain rule": "导数与链式法则",
    "a derivative through a shared subexpression": "经过共享子表达式的导数",
    "central difference with a step chosen from the error bound": "中心差分，步长由误差上界选出",
    "dual numbers: /, exp, log and ** in forward mode": "对偶数：前向模式下的 /、exp、log 和 **",
    "find and fix the bugs in a gradient by hand": "找出并修好手算梯度里的 bug",
    "predict: forward vs reverse cost, finite-difference errors, paths": (
        "预测：前向与反向模式的代价、有限差分的误差、路径数"
    ),
    "the result is [value, derivative] of the program's output": "结果是程序输出的 [值, 导数]",
    "the result is (df/dx, df/dy), elementwise": "结果是逐元素的 (df/dx, df/dy)",
    "central_derivative must return two numbers: (estimate, h)": (
        "central_derivative 必须返回两个数：(estimate, h)"
    ),
    "the result should be two numbers, (estimate, h)": "结果应该是两个数：(estimate, h)",
    "the step h must be a positive number, yours is {h}": "步长 h 必须是正数，你的是 {h}",
    "your step h = {h} gives the error bound eps |f| / h + h^2 |f'''| / 6 = {yours}, the best "
    "step gives {best} (allowed: {slack} times that); balance the two terms for these |f| and "
    "|f'''|": (
        "你的步长 h = {h} 给出的误差上界 eps |f| / h + h^2 |f'''| / 6 = {yours}，"
        "而最佳步长给出 {best}（允许它的 {slack} 倍）；请针对这里的 |f| 和 |f'''| 平衡这两项"
    ),
    "with h = {h} the estimate is {estimate}, the exact derivative {exact}: off by {error}, "
    "more than 10 times the bound for that h ({yours}); is it a central difference with this "
    "h?": (
        "取 h = {h} 时估计值是 {estimate}，精确导数是 {exact}：相差 {error}，"
        "超过了这个 h 对应上界（{yours}）的 10 倍；它真的是用这个 h 算出的中心差分吗？"
    ),
    "f(v) = {body} at x = {x}, f_size = {f_size}, f3_size = {f3_size}": (
        "函数 f(v) = {body}，在 x = {x} 处，f_size = {f_size}，f3_size = {f3_size}"
    ),
    "the program {steps}; output v{n}": "程序 {steps}；输出 v{n}",
    "... ({n} steps in all)": "...（共 {n} 步）",
    "grad_f must return two arrays: (df/dx, df/dy)": "grad_f 必须返回两个数组：(df/dx, df/dy)",
    # grader/ex02_computation_graphs.py
    "Computation graphs": "计算图",
    "the leaves that backward() fills, from grad_fn": (
        "从 grad_fn 出发，找出 backward() 会填写梯度的叶子"
    ),
    "the order in which backward() may run the nodes": "backward() 运行各节点的顺序",
    "find and fix the bugs in jacobian()": "找出并修好 jacobian() 里的 bug",
    "predict: detach, no_grad, retain_grad, two backward calls, frozen tensors": (
        "预测：detach、no_grad、retain_grad、两次 backward 调用、被冻结的张量"
    ),
    "the result is the sorted indices of the leaves you returned, one per leaf": (
        "结果是你返回的叶子的编号，排好序，每个叶子一个"
    ),
    "indices of the leaves x0, x1, ... you returned; -1 for anything else": (
        "你返回的叶子 x0、x1……的编号；不是叶子的东西记为 -1"
    ),
    "J has one row per output of f and one column per input": (
        "J 的每一行对应 f 的一个输出，每一列对应一个输入"
    ),
    "row i is the gradient of output i": "第 i 行是第 i 个输出的梯度",
    "minigrad's graph has {n} nodes and {edges} edges, torch's {torch_nodes} and {torch_edges} "
    "(a minigrad bug: tell the course team)": (
        "minigrad 的计算图有 {n} 个节点、{edges} 条边，torch 的有 {torch_nodes} 个节点、"
        "{torch_edges} 条边（这是 minigrad 的 bug：请告诉课程团队）"
    ),
    "{unknown} of the entries you returned are not nodes of y's graph (return the grad_fn nodes "
    "themselves, AccumulateGrad nodes included, not tensors or None)": (
        "你返回的条目中有 {unknown} 个不是 y 的计算图中的节点（请返回 grad_fn 节点本身，"
        "包括 AccumulateGrad 节点，而不是张量或 None）"
    ),
    "a node is in your order twice (a node with several users must run once)": (
        "有一个节点在你的顺序里出现了两次（有多个使用者的节点也只能运行一次）"
    ),
    "your order has {got} of the graph's {n} nodes (every node runs once)": (
        "计算图有 {n} 个节点，你的顺序里只有 {got} 个（每个节点都要运行一次）"
    ),
    "y.grad_fn must come first: it is where backward() starts": (
        "y.grad_fn 必须排在最前：backward() 从它开始"
    ),
    "a node": "某个节点",
    "your order runs {child} (at position {child_at}) before {parent} (at position "
    "{parent_at}), which sends it a gradient: a node runs only once every node that uses it has "
    "run": (
        "你的顺序把 {child}（位置 {child_at}）排在了向它发送梯度的 {parent}（位置 {parent_at}）"
        "之前：只有当所有使用某个节点的节点都运行过之后，这个节点才能运行"
    ),
    "f(x) = {body} at x = {x}": "函数 f(x) = {body}，在 x = {x} 处",
    "f(x) = {body} at x = {x}, W = {w}": "函数 f(x) = {body}，在 x = {x} 处，W = {w}",
    # grader/ex04_tensors_and_functions.py
    "Tensors and custom Functions": "张量与自定义 Function",
    "unbroadcast a gradient to an input's shape": "把梯度反广播回输入的形状",
    "gradients of c = sum(x * y + z) with broadcasting": "带广播的 c = sum(x * y + z) 的梯度",
    "LinearFunction.backward": "LinearFunction.backward",
    "CumsumFunction: forward and backward of a cumulative sum": (
        "CumsumFunction：累加和的前向与反向"
    ),
    "SoftplusFunction: find and fix the bug in its backward": (
        "SoftplusFunction：找出并修好它反向计算中的 bug"
    ),
    "predict: x.grad after two backward calls, is_leaf, freed graphs, shapes": (
        "预测：两次 backward 之后的 x.grad、is_leaf、被释放的计算图、形状"
    ),
    "sum the gradient over the dimensions that broadcasting added or stretched": (
        "把梯度沿广播新增或拉伸的维度求和"
    ),
    "the result is (forward's output, the gradient backward returned for x)": (
        "结果是（forward 的输出，backward 为 x 返回的梯度）"
    ),
    "x.grad has x's shape (N, in), weight.grad (out, in), bias.grad (out,)": (
        "x.grad 的形状与 x 相同，为 (N, in)；weight.grad 为 (out, in)；bias.grad 为 (out,)"
    ),
    "sum_product_grads must return three arrays: (dx, dy, dz)": (
        "sum_product_grads 必须返回三个数组：(dx, dy, dz)"
    ),
    "backward must return three gradients: (grad_x, grad_weight, grad_bias)": (
        "backward 必须返回三个梯度：(grad_x, grad_weight, grad_bias)"
    ),
    "backward returned None for {name}, which needs a gradient": (
        "backward 为 {name} 返回了 None，但它需要梯度"
    ),
    "backward returned a gradient of shape {got} for {name}, whose shape is {shape}: each "
    "gradient must have its input's own shape": (
        "backward 为形状是 {shape} 的 {name} 返回了形状为 {got} 的梯度："
        "每个梯度都必须与它对应的输入形状相同"
    ),
    "{name}.grad after backward() is not what backward returned": (
        "backward() 之后的 {name}.grad 不是 backward 返回的梯度"
    ),
    "backward must return {n} values, one per argument of forward: the gradient for x": (
        "backward 必须返回 {n} 个值，forward 的每个参数一个：x 的梯度"
    ),
    "backward must return {n} values, one per argument of forward: the gradient for x, then "
    "None for {params}": (
        "backward 必须返回 {n} 个值，forward 的每个参数一个：先是 x 的梯度，然后 {params} 对应 None"
    ),
    "backward returned a gradient of shape {got} for x of shape {shape}: it must have x's own "
    "shape": "backward 为形状是 {shape} 的 x 返回了形状为 {got} 的梯度：它必须与 x 形状相同",
    "x of shape {shape}, dim={dim}: x={x}": "形状为 {shape} 的 x，dim={dim}：x={x}",
    "predictions() must return a dict: {'a': ..., 'b': ..., ...}": (
        "predictions() 必须返回一个字典：{'a': ..., 'b': ..., ...}"
    ),
    "predictions() has no answer for {keys}": "predictions() 没有给出 {keys} 的答案",
    "your predictions": "你的预测",
    # grader/ex03_value_autograd.py
    "A scalar autograd engine": "标量自动微分引擎",
    "Value.softplus: forward and backward rule, for any x": (
        "Value.softplus：对任何 x 都成立的前向与反向规则"
    ),
    "Value.maximum, with ties split as torch.maximum splits them": (
        "Value.maximum：两数相等时像 torch.maximum 那样平分梯度"
    ),
    "Value.logaddexp: find and fix the bugs in its backward rule": (
        "Value.logaddexp：找出并修好它反向规则中的 bug"
    ),
    "grad(root, wrt): gradients without touching any .grad": (
        "grad(root, wrt)：不动任何 .grad 求出梯度"
    ),
    "predict: minigrad's Value after two backward calls, nodes, rules": (
        "预测：两次 backward 之后的 minigrad Value、节点、反向规则"
    ),
    "the result is [output value, then each leaf's grad]": (
        "结果是 [输出的值，然后依次是每个叶子节点的 grad]"
    ),
    "the result is d root / d w for each w in wrt": "结果是 wrt 中每个 w 对应的 d root / d w",
    "minigrad's Value has no method {op}: run `{assignment}`": (
        "minigrad 的 Value 没有 {op} 方法：请运行 `{assignment}`"
    ),
    "the graph {lines}; output {output}": "计算图 {lines}；输出为 {output}",
    "the unused Value": "那个没有用到的 Value",
    "grad() changed the .grad of {n} nodes (e.g. {example}); like torch.autograd.grad, it must "
    "leave every .grad as it found it": (
        "grad() 改变了 {n} 个节点的 .grad（例如 {example}）；"
        "它必须像 torch.autograd.grad 那样，让每个 .grad 保持原样"
    ),
    "{where}: it was {was}, it is now {now}": "{where}：原来是 {was}，现在是 {now}",
    "grad() returned {got} values for {n} Values in wrt": (
        "wrt 中有 {n} 个 Value，grad() 却返回了 {got} 个值"
    ),
    "u (a Value the root does not use)": "u（root 没有用到的一个 Value）",
    "{graph}; grad(output, [{names}]), every .grad set beforehand": (
        "{graph}；grad(output, [{names}])，事先给每个 .grad 都设了值"
    ),
    # grader/ex05_framework_kernels.py
    "Backward functors, as in a real framework": "像真实框架那样写反向 functor",
    "exp2 backward with dy and x, float32 and float64": (
        "用 dy 和 x 计算 exp2 的反向，float32 与 float64"
    ),
    "tanh backward with dy and the saved output y": "用 dy 和保存的输出 y 计算 tanh 的反向",
    "div backward for both operands, in the broadcast shape": (
        "div 对两个操作数的反向，形状为广播后的形状"
    ),
    "return both gradients in the shape of dy (the broadcast shape)": (
        "两个梯度都按 dy 的形状（广播后的形状）返回"
    ),
    "div_backward must return two arrays: (da, db)": "div_backward 必须返回两个数组：(da, db)",
    "a kernel-table entry for SiLU: forward, backward, what it saves": (
        "SiLU 的 kernel 表项：前向、反向、保存什么"
    ),
    "the result is (y = silu(x), x.grad), both in x's shape and dtype": (
        "结果是 (y = silu(x), x.grad)，两者的形状和 dtype 都与 x 相同"
    ),
    "the result is (y = silu(x), x.grad)": "结果是 (y = silu(x), x.grad)",
    'UNARY_KERNELS["silu"] is not a UnaryKernel: register one (the cell after silu_backward '
    "does it)": (
        'UNARY_KERNELS["silu"] 不是一个 UnaryKernel：请注册一个'
        "（silu_backward 后面的单元格就是做这个的）"
    ),
    "the entry saves {saves}: a SiLU backward needs x or y": (
        "这个表项保存的是 {saves}：SiLU 的反向计算需要 x 或 y"
    ),
    "a binary kernel-table entry: logaddexp, both gradients, broadcasting": (
        "一个二元 kernel 表项：logaddexp，两个梯度，广播"
    ),
    "the result is (y, a.grad, b.grad, then backward_a and backward_b called directly): a.grad "
    "in a's shape, b.grad in b's, the direct calls in the broadcast shape (dy's)": (
        "结果是 (y, a.grad, b.grad，然后是直接调用 backward_a 和 backward_b 的返回值)："
        "a.grad 的形状与 a 相同，b.grad 与 b 相同，直接调用的返回值为广播后的形状（dy 的形状）"
    ),
    "the result is (y = logaddexp(a, b), a.grad, b.grad, then what logaddexp_backward_a and "
    "logaddexp_backward_b return when called directly)": (
        "结果是 (y = logaddexp(a, b), a.grad, b.grad，"
        "然后是直接调用 logaddexp_backward_a 和 logaddexp_backward_b 的返回值)"
    ),
    'BINARY_KERNELS["logaddexp"] is not a BinaryKernel: register one (the cell after the '
    "backward functors does it)": (
        'BINARY_KERNELS["logaddexp"] 不是一个 BinaryKernel：请注册一个'
        "（两个反向 functor 后面的单元格就是做这个的）"
    ),
    "a of shape {a_shape}, b of shape {b_shape} ({dtype}): a={a}, b={b}": (
        "形状为 {a_shape} 的 a、形状为 {b_shape} 的 b（{dtype}）：a={a}，b={b}"
    ),
    "the SELU entry: find and fix the bugs in its backward": (
        "SELU 表项：找出并修好它反向计算中的 bug"
    ),
    "the result is (y = selu(x), x.grad, selu_backward called directly), all in x's shape and "
    "dtype": (
        "结果是 (y = selu(x), x.grad, 直接调用 selu_backward 的返回值)，形状和 dtype 都与 x 相同"
    ),
    "the result is (y = selu(x), x.grad, what selu_backward returns when called directly)": (
        "结果是 (y = selu(x), x.grad, 直接调用 selu_backward 的返回值)"
    ),
    'UNARY_KERNELS["selu"] is not a UnaryKernel: run the cell that adds it': (
        'UNARY_KERNELS["selu"] 不是一个 UnaryKernel：请运行添加它的那个单元格'
    ),
    "predict: needs_input_grad, what a kernel saves (in-place checks), dtypes": (
        "预测：needs_input_grad、kernel 保存什么与原地修改的检查、dtype"
    ),
    # grader/ex06_training.py
    "Training: losses, optimizers, and a network of your own pieces": (
        "训练：损失、优化器，以及用你自己的部件搭建的网络"
    ),
    "softmax cross-entropy (mean), stable for large logits": (
        "softmax 平均交叉熵，在 logits 很大时也数值稳定"
    ),
    "the gradient of the cross-entropy with respect to the logits": "交叉熵对 logits 的梯度",
    "one gradient per logit: shape (N, C)": "每个 logit 一个梯度：形状为 (N, C)",
    "Adam steps, as torch.optim.Adam": "与 torch.optim.Adam 一致的 Adam 更新步",
    "adam_step must return three arrays: (param, m, v)": (
        "adam_step 必须返回三个数组：(param, m, v)"
    ),
    "LayerNorm as an nn.Module: forward and gradients, as torch.nn.LayerNorm": (
        "用 nn.Module 写的 LayerNorm：前向与梯度都与 torch.nn.LayerNorm 一致"
    ),
    "the result is (output, x.grad, weight.grad, bias.grad), each in its own shape": (
        "结果是 (output, x.grad, weight.grad, bias.grad)，各自保持自己的形状"
    ),
    "the result is (output, x.grad, weight.grad, bias.grad)": (
        "结果是 (output, x.grad, weight.grad, bias.grad)"
    ),
    "LayerNorm must be an nn.Module subclass (class LayerNorm(nn.Module))": (
        "LayerNorm 必须是 nn.Module 的子类（class LayerNorm(nn.Module)）"
    ),
    "LayerNorm's parameters are {names}: it needs exactly two Parameters, `weight` and `bias` "
    "(assign nn.Parameter(...) to self.weight and self.bias)": (
        "LayerNorm 的参数是 {names}：它恰好需要两个 Parameter，`weight` 和 `bias`"
        "（把 nn.Parameter(...) 赋给 self.weight 和 self.bias）"
    ),
    "{name} has shape {got}; it must be {shape}": "{name} 的形状是 {got}；它必须是 {shape}",
    "a new LayerNorm's {name} must be all {start}, as torch's is": (
        "新建的 LayerNorm 的 {name} 必须全为 {start}，与 torch 的一样"
    ),
    "for a float32 input (and float32 parameters) LayerNorm returned {dtype}: compute in the "
    "input's dtype (a numpy float64 constant promotes float32)": (
        "对于 float32 的输入（和 float32 的参数），LayerNorm 返回了 {dtype}："
        "请按输入的 dtype 计算（numpy 的 float64 常数会把 float32 提升为 float64）"
    ),
    "{name}.grad is None after backward: is it used in forward?": (
        "backward 之后 {name}.grad 是 None：forward 里用到它了吗？"
    ),
    "x of shape {shape}, LayerNorm({normalized}, eps={eps}): x={x}": (
        "形状为 {shape} 的 x，LayerNorm({normalized}, eps={eps})：x={x}"
    ),
    "RMSprop as an optim.Optimizer, step by step as torch.optim.RMSprop": (
        "用 optim.Optimizer 写的 RMSprop：每一步都与 torch.optim.RMSprop 一致"
    ),
    "result[k][i] is parameter i after step k + 1": "result[k][i] 是第 k + 1 步之后的参数 i",
    "RMSprop must be an optim.Optimizer subclass (class RMSprop(optim.Optimizer))": (
        "RMSprop 必须是 optim.Optimizer 的子类（class RMSprop(optim.Optimizer)）"
    ),
    "; first group lr={lr}": "；第一个参数组 lr={lr}",
    "RMSprop({options}){groups}, {n} steps on parameters of shapes {shapes}, starting at "
    "{start}": "RMSprop({options}){groups}，在形状为 {shapes} 的参数上走 {n} 步，初始值为 {start}",
    "train_steps: find and fix the bugs in a training loop": (
        "train_steps：找出并修好训练循环中的 bug"
    ),
    "the result is (the losses, the parameters after the last step)": (
        "结果是（各步的损失，最后一步之后的参数）"
    ),
    "train_steps must return a list with one loss per batch": (
        "train_steps 必须返回一个列表，每个小批量一个损失"
    ),
    "train_steps returned a list of {kind}, not of floats: each loss tensor keeps its whole "
    "graph alive (use loss.item())": (
        "train_steps 返回的是 {kind} 的列表，而不是 float 的列表："
        "每个损失张量都会让它的整个计算图一直占着内存（请用 loss.item()）"
    ),
    "{n} batches of 5 examples, Linear(4, 6) - Tanh - Linear(6, 3), SGD(lr={lr}, momentum=0.9)": (
        "在 {n} 个小批量（每个 5 个样本）上训练 Linear(4, 6) - Tanh - Linear(6, 3)，"
        "优化器为 SGD(lr={lr}, momentum=0.9)"
    ),
    "predict: momentum, Adam's first step, zero_grad, dropout, no_grad": (
        "预测：动量、Adam 的第一步、zero_grad、dropout、no_grad"
    ),
    "the capstone: your LayerNorm and RMSprop, trained to 90% on digits": (
        "综合题：用你的 LayerNorm 和 RMSprop 在手写数字上训练到 90%"
    ),
    "your network got at least 90% of the held-out digits right": (
        "你的网络在留出的数字上至少认对了 90%"
    ),
    "make_model() must build a network that uses your LayerNorm": (
        "make_model() 必须搭建一个用到你的 LayerNorm 的网络"
    ),
    "train() never called step() of your RMSprop: train with it": (
        "train() 从来没有调用你的 RMSprop 的 step()：请用它来训练"
    ),
    "the predictions should be {n} class labels, one per test digit": (
        "预测应该是 {n} 个类别标签，每个测试数字一个"
    ),
    "test accuracy {accuracy} ({right} of {n} digits right): the network must reach at least "
    "{target}": (
        "测试准确率为 {accuracy}（{n} 个数字中认对了 {right} 个）：网络至少要达到 {target}"
    ),
    "{n} training digits and {m} held-out ones (seed {seed})": (
        "用 {n} 个训练数字训练、在 {m} 个留出的数字上测试（种子 {seed}）"
    ),
    # grader/ex07_higher_order.py
    "Gradients of gradients": "梯度的梯度",
    "the Laplacian of f: the trace of its Hessian": "f 的拉普拉斯算子：其海森矩阵的迹",
    "jvp: J v from two reverse passes (forward mode without forward mode)": (
        "jvp：用两次反向计算求 J v（不用前向模式的前向模式）"
    ),
    "J v has the shape of func(x); J^T v would have the shape of x": (
        "J v 的形状与 func(x) 相同；J^T v 的形状才与 x 相同"
    ),
    "LogCoshFunction: a backward that can be differentiated again": (
        "LogCoshFunction：一个可以再次求导的 backward"
    ),
    "SmoothAbsFunction: gradcheck passes, gradgradcheck does not": (
        "SmoothAbsFunction：gradcheck 通过，gradgradcheck 却不通过"
    ),
    "hvp by two backward() calls: find and fix the bug": (
        "用两次 backward() 调用求 hvp：找出并修复错误"
    ),
    "predict: .grad under create_graph, second derivatives of relu and of numpy": (
        "预测：create_graph 下的 .grad，relu 和 numpy 的二阶导数"
    ),
    "f(x) = sum(tanh(A @ x + b)) + c * sum(x)**2 + sum(d * x**3) with A of shape {shape}, "
    "c={c}, at x={x}": (
        "f(x) = sum(tanh(A @ x + b)) + c * sum(x)**2 + sum(d * x**3)，其中 A 的形状为 {shape}，"
        "c={c}，在 x={x} 处"
    ),
    "{formula} with A of shape {shape}, at x={x}, v={v}": (
        "{formula}，其中 A 的形状为 {shape}，在 x={x} 处，v={v}"
    ),
    "x={x} ({dtype}), grad_output={g}, u={u}": "x={x}（{dtype}），grad_output={g}，u={u}",
    "{what} must be numbers, got {kind}": "{what} 必须是数值，得到的是 {kind}",
    "laplacian's result": "laplacian 的结果",
    "jvp's result": "jvp 的结果",
    "hvp's result": "hvp 的结果",
    "laplacian must return one number (the trace), got shape {shape}": (
        "laplacian 必须返回一个数（迹），得到的形状是 {shape}"
    ),
    "this question asks you to build J v from autograd.grad: minigrad.autograd.functional is "
    "switched off while it is checked": (
        "本题要求你用 autograd.grad 构造 J v：检查期间 minigrad.autograd.functional 被关闭"
    ),
    "the gradient {name}.backward returns has no graph, so it cannot be differentiated again: "
    "write backward with minigrad operations on the Tensors it gets (no numpy, .numpy(), "
    ".detach() or .data)": (
        "{name}.backward 返回的梯度没有计算图，因此无法再次求导：请用 minigrad 运算处理它收到的 "
        "Tensor 来写 backward（不要用 numpy、.numpy()、.detach() 或 .data）"
    ),
    "the gradient {name}.backward returns does not depend on x through recorded operations "
    "(did it detach x, or use numpy on it?)": (
        "{name}.backward 返回的梯度没有通过被记录的运算依赖于 x"
        "（是否对 x 调用了 detach，或对它使用了 numpy？）"
    ),
    "the gradient {name}.backward returns does not depend on grad_output through recorded "
    "operations (did it detach grad_output?): gradgradcheck differentiates with respect to it "
    "too": (
        "{name}.backward 返回的梯度没有通过被记录的运算依赖于 grad_output"
        "（是否对 grad_output 调用了 detach？）：gradgradcheck 也会对它求导"
    ),
    "the result is (y, x's gradient d1 for grad_output, then the gradients of sum(d1 * u) "
    "with respect to x and to grad_output)": (
        "结果是（y，给定 grad_output 时 x 的梯度 d1，然后是 sum(d1 * u) 对 x 和对 grad_output "
        "的梯度）"
    ),
}
