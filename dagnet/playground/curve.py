"""The loss curves of a training run, thinned so that any number of epochs fits in a few points.

Examples
--------
>>> curve = Curve(max_points=4)
>>> for epoch in range(1, 11):
...     curve.add(epoch, 1.0 / epoch, None)
>>> curve.as_dict()["epoch"]
[4, 8]
"""


class Curve:
    """Train and test loss per recorded epoch; past ``max_points`` every second point goes.

    Recorded epochs are then the multiples of a stride that doubles each
    time, so the curve spans the whole run at an even spacing.
    """

    def __init__(self, max_points=1000):
        self.max_points = max_points
        self.stride = 1
        self.epoch, self.train, self.test = [], [], []

    def add(self, epoch, train, test):
        """Record the losses after ``epoch`` (kept when ``epoch`` is a multiple of the stride)."""
        if epoch % self.stride:
            return
        self.epoch.append(epoch)
        self.train.append(float(train))
        self.test.append(None if test is None else float(test))
        if len(self.epoch) > self.max_points:
            self.stride *= 2
            keep = [k for k, e in enumerate(self.epoch) if e % self.stride == 0]
            self.epoch = [self.epoch[k] for k in keep]
            self.train = [self.train[k] for k in keep]
            self.test = [self.test[k] for k in keep]

    def as_dict(self):
        """``{"epoch", "train", "test"}`` lists (copies)."""
        return {"epoch": list(self.epoch), "train": list(self.train), "test": list(self.test)}
